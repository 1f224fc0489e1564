// Generated from the gateway's /openapi.json by openapi-typescript: do not edit.
// Regenerate with `pnpm --filter @paystream/client generate`.

export interface paths {
    "/v1/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a payment
         * @description Creates the order upstream and answers its QR code and pay URL. `amount` is a decimal string of 0.02 to 60000 in major units. The same create again (same body) answers the stored payment with 200; an `outTradeNo` used for another body is 409 `03`.
         */
        post: operations["createPayment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{outTradeNo}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a payment
         * @description The stored payment, refreshed by a query to the aggregator; a change there is recorded with its events. When the aggregator cannot be asked, the stored record with `stale: true` (and `queryCode` when the query was refused).
         */
        get: operations["getPayment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{outTradeNo}/refunds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Refund part or all of a paid payment
         * @description Refunds `amount` (more than 0.00) of a paid payment; refunds add up to at most the payment. The same `refundNo` and amount again answers the stored refund with 200; another amount is 409 `14`.
         */
        post: operations["refundPayment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{outTradeNo}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel (reverse in full) a payment
         * @description Reverses a paid payment upstream in full. It gives the money back, so it needs `refunds:write` as well as `payments:write`.
         */
        post: operations["cancelPayment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{outTradeNo}/close": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Close an unpaid payment
         * @description Closes an unpaid order created the same (Hong Kong) day, so it can no longer be paid.
         */
        post: operations["closePayment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/upstream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Receive the aggregator's notify callback
         * @description Called by the aggregator, not by services. Verified on the raw bytes before anything is read: JSON, timestamp format, clock window, signature and `User_Confirm_Key` (in the body, as the aggregator signs it; no API key). Then the order must exist and amount and currency match. Every refusal records nothing.
         */
        post: operations["receiveUpstreamNotification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: upstream, bus and database reachable */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics of every component in the process */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Payment: {
            outTradeNo: string;
            /** @enum {string} */
            status: "pending" | "paid" | "paid_after_close" | "partially_refunded" | "refunded" | "canceled" | "closed" | "failed" | "unknown";
            /**
             * @description Major units as a decimal string, never a float
             * @example 12.34
             */
            amount: string;
            /** @enum {string} */
            currency: "HKD" | "CNY";
            /** @enum {string} */
            wallet: "WECHATCN" | "WECHATHK" | "ALIPAYCN" | "ALIPAYHK";
            /**
             * @description Major units as a decimal string, never a float
             * @example 12.34
             */
            refundedAmount: string;
            upstreamTradeNo?: string;
            qrCodeUrl?: string;
            payUrl?: string;
            description?: string;
            notifyUrl?: string;
            metadata?: {
                [key: string]: string;
            };
            lastCode?: string;
            createdAt: string;
            updatedAt: string;
            paidAt?: string;
            refunds: {
                refundNo: string;
                /** @enum {string} */
                status: "succeeded" | "failed" | "pending";
                /**
                 * @description Major units as a decimal string, never a float
                 * @example 12.34
                 */
                amount: string;
                upstreamRefundNo?: string;
                refundedAt?: string;
                lastCode?: string;
            }[];
            /** @description true when the aggregator could not be asked: this is the stored record */
            stale?: boolean;
            /** @description With `stale`: the code the aggregator's query answered instead of the order */
            queryCode?: string;
            /** @description Why the outcome is unknown (202 answers), or why the record is `stale` */
            detail?: string;
        };
        Refund: {
            refundNo: string;
            /** @enum {string} */
            status: "succeeded" | "failed" | "pending";
            /**
             * @description Major units as a decimal string, never a float
             * @example 12.34
             */
            amount: string;
            upstreamRefundNo?: string;
            refundedAt?: string;
            lastCode?: string;
            outTradeNo: string;
            /** @enum {string} */
            currency: "HKD" | "CNY";
            /**
             * @description Major units as a decimal string, never a float
             * @example 12.34
             */
            refundedAmount: string;
            /** @constant */
            outcome?: "unknown";
            detail?: string;
        };
        PaymentOutcomeUnknown: {
            outTradeNo: string;
            /** @enum {string} */
            status: "pending" | "paid" | "paid_after_close" | "partially_refunded" | "refunded" | "canceled" | "closed" | "failed" | "unknown";
            /**
             * @description Major units as a decimal string, never a float
             * @example 12.34
             */
            amount: string;
            /** @enum {string} */
            currency: "HKD" | "CNY";
            /** @enum {string} */
            wallet: "WECHATCN" | "WECHATHK" | "ALIPAYCN" | "ALIPAYHK";
            /**
             * @description Major units as a decimal string, never a float
             * @example 12.34
             */
            refundedAmount: string;
            upstreamTradeNo?: string;
            qrCodeUrl?: string;
            payUrl?: string;
            description?: string;
            notifyUrl?: string;
            metadata?: {
                [key: string]: string;
            };
            lastCode?: string;
            createdAt: string;
            updatedAt: string;
            paidAt?: string;
            refunds: {
                refundNo: string;
                /** @enum {string} */
                status: "succeeded" | "failed" | "pending";
                /**
                 * @description Major units as a decimal string, never a float
                 * @example 12.34
                 */
                amount: string;
                upstreamRefundNo?: string;
                refundedAt?: string;
                lastCode?: string;
            }[];
            /** @description true when the aggregator could not be asked: this is the stored record */
            stale?: boolean;
            /** @description With `stale`: the code the aggregator's query answered instead of the order */
            queryCode?: string;
            /** @description Why the outcome is unknown */
            detail: string;
            /** @constant */
            outcome: "unknown";
        };
        NotifyAck: {
            /** @constant */
            code: "00";
            /** @constant */
            msg: "SUCCESS";
        };
        Ready: {
            /** @enum {string} */
            status: "ready" | "not_ready";
            checks: {
                [key: string]: {
                    ok: boolean;
                    detail?: string;
                };
            };
        };
        /** @description RFC 9457 problem details; `operation` names the upstream call an upstream refusal came from, `reason` why a notification was refused. */
        Problem: {
            type: string;
            title: string;
            status: number;
            detail: string;
            instance?: string;
            /** @description The upstream status code, exactly as the appendix writes it */
            code?: string;
            category?: string;
            /** @enum {string} */
            retry?: "never" | "after_query" | "safe";
            errors?: {
                field: string;
                message: string;
            }[];
            operation?: string;
            reason?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    createPayment: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description One key per logical request, reused on its retries: the same key and body replays the first final answer (`Idempotent-Replayed: true`); another body answers 409. A 202 or a gateway failure gives the key back. A key is kept at least 24 hours from its first request (IDEMPOTENCY_KEY_RETENTION_MS), then forgotten: the same request then runs again, and `outTradeNo` or `refundNo` still answers the stored payment or refund instead of creating another.
                 * @example 7f0c1d2e-9a4b-4c55-8e1f-0a2b3c4d5e6f
                 */
                "Idempotency-Key"?: string;
                /**
                 * @description W3C trace context: the gateway's spans and the events join the caller's trace
                 * @example 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
                 */
                traceparent?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "outTradeNo": "order-1001",
                 *       "amount": "12.34",
                 *       "currency": "HKD",
                 *       "wallet": "WECHATHK"
                 *     }
                 */
                "application/json": {
                    /**
                     * @description The caller's order number, unique per payment
                     * @example order-1001
                     */
                    outTradeNo: string;
                    /**
                     * @description Major units as a decimal string, never a float
                     * @example 12.34
                     */
                    amount: string;
                    /** @enum {string} */
                    currency: "HKD" | "CNY";
                    /** @enum {string} */
                    wallet: "WECHATCN" | "WECHATHK" | "ALIPAYCN" | "ALIPAYHK";
                    description?: string;
                    /**
                     * Format: uri
                     * @description Stored with the payment for the caller; the aggregator calls the gateway
                     */
                    notifyUrl?: string;
                    /** @description The caller's own key/value pairs, stored and echoed in events as opaque data; never an account name */
                    metadata?: {
                        [key: string]: string;
                    };
                };
            };
        };
        responses: {
            /** @description Already created with this body */
            200: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    /** @description `true` when this is the stored answer to an earlier request with the same Idempotency-Key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Payment"];
                };
            };
            /** @description Created upstream */
            201: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    /** @description `true` when this is the stored answer to an earlier request with the same Idempotency-Key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Payment"];
                };
            };
            /** @description Outcome unknown: the aggregator did not answer and a query could not tell yet. Not a success and not a failure: send the same create again (same Idempotency-Key) or read the payment; the gateway queries before creating again, so there is no double charge */
            202: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Payment"];
                };
            };
            /** @description Invalid request: `errors` names each bad field (body, path, `Idempotency-Key`; an amount outside 0.02–60000 or with more decimals than the currency has), or the body is not JSON, or the path is not valid percent-encoding (`errors: [{field: "path"}]`); nothing was recorded */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No `Authorization: Bearer <api key>`, or the key is not valid */
            401: {
                headers: {
                    /** @description Always `Bearer realm="paystream"` */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The API key lacks the scope payments:write */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Idempotency-Key reused with another body, or its first request is still running (then `Retry-After` says when to try again); or the `outTradeNo` is already used for another payment (`code: "03"`); or: The aggregator refused the create (codes `-99`, `03`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            409: {
                headers: {
                    /** @description Seconds to wait; sent when the first request with this key is still running */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the limit (16 kB by default) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`, or is compressed (`Content-Encoding`), or not UTF-8 */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the create (codes `-22`, `-23`, `01`, `02`, `06`, `56`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The gateway failed; the Idempotency-Key is given back, so the same request may be retried */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the create (codes `-1`, `-11`, `-12`, `-13`, `-99`, `09`, `10`, `11`, `12`, `13`, `20`, `21`, `22`, `23`, `25`, `29`, `30`, `57`, `59`, `60`, `61`, `62`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the create (codes `80`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the create (codes `24`, `58`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getPayment: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description W3C trace context: the gateway's spans and the events join the caller's trace
                 * @example 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
                 */
                traceparent?: string;
            };
            path: {
                /**
                 * @description The caller's order number, unique per payment
                 * @example order-1001
                 */
                outTradeNo: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The payment */
            200: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Payment"];
                };
            };
            /** @description Outcome unknown: the aggregator did not answer and a query could not tell yet. Not a success and not a failure: a create whose outcome is unknown is not visible upstream yet; read again later */
            202: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Payment"];
                };
            };
            /** @description Invalid request: `errors` names each bad field (body, path, `Idempotency-Key`; an amount outside 0.02–60000 or with more decimals than the currency has), or the body is not JSON, or the path is not valid percent-encoding (`errors: [{field: "path"}]`); nothing was recorded */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No `Authorization: Bearer <api key>`, or the key is not valid */
            401: {
                headers: {
                    /** @description Always `Bearer realm="paystream"` */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The API key lacks the scope payments:read */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such payment for this caller (another caller's orders are invisible); or: The aggregator refused the query (codes `05`, `31`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the query (codes `04`, `06`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The gateway failed; the Idempotency-Key is given back, so the same request may be retried */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the query (codes `-1`, `-11`, `-12`, `-13`, `-99`, `10`, `11`, `12`, `13`, `19`, `21`, `22`, `23`, `57`, `59`, `60`, `61`, `62`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the query (codes `58`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    refundPayment: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description One key per logical request, reused on its retries: the same key and body replays the first final answer (`Idempotent-Replayed: true`); another body answers 409. A 202 or a gateway failure gives the key back. A key is kept at least 24 hours from its first request (IDEMPOTENCY_KEY_RETENTION_MS), then forgotten: the same request then runs again, and `outTradeNo` or `refundNo` still answers the stored payment or refund instead of creating another.
                 * @example 7f0c1d2e-9a4b-4c55-8e1f-0a2b3c4d5e6f
                 */
                "Idempotency-Key"?: string;
                /**
                 * @description W3C trace context: the gateway's spans and the events join the caller's trace
                 * @example 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
                 */
                traceparent?: string;
            };
            path: {
                /**
                 * @description The caller's order number, unique per payment
                 * @example order-1001
                 */
                outTradeNo: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "refundNo": "order-1001-r1",
                 *       "amount": "2.00"
                 *     }
                 */
                "application/json": {
                    refundNo: string;
                    /**
                     * @description Major units as a decimal string, never a float
                     * @example 12.34
                     */
                    amount: string;
                };
            };
        };
        responses: {
            /** @description Already refunded with this refundNo */
            200: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    /** @description `true` when this is the stored answer to an earlier request with the same Idempotency-Key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Refund"];
                };
            };
            /** @description Refunded */
            201: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    /** @description `true` when this is the stored answer to an earlier request with the same Idempotency-Key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Refund"];
                };
            };
            /** @description Outcome unknown: the aggregator did not answer and a query could not tell yet. Not a success and not a failure: the refund is `pending`; send the same refund again (same refundNo) or read the payment; the gateway queries before refunding again */
            202: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Refund"];
                };
            };
            /** @description Invalid request: `errors` names each bad field (body, path, `Idempotency-Key`; an amount outside 0.02–60000 or with more decimals than the currency has), or the body is not JSON, or the path is not valid percent-encoding (`errors: [{field: "path"}]`); nothing was recorded */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No `Authorization: Bearer <api key>`, or the key is not valid */
            401: {
                headers: {
                    /** @description Always `Bearer realm="paystream"` */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The API key lacks the scope refunds:write */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such payment for this caller (another caller's orders are invisible); or: The aggregator refused the refund (codes `05`, `31`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Idempotency-Key reused with another body, or its first request is still running (then `Retry-After` says when to try again); or the `refundNo` was used for another amount (`code: "14"`); or: The aggregator refused the refund (codes `-53`, `-55`, `-99`, `14`, `15`, `16`, `64`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            409: {
                headers: {
                    /** @description Seconds to wait; sent when the first request with this key is still running */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the limit (16 kB by default) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`, or is compressed (`Content-Encoding`), or not UTF-8 */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the refund (codes `-22`, `-54`, `04`, `06`, `17`, `18`, `53`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The gateway failed; the Idempotency-Key is given back, so the same request may be retried */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the refund (codes `-1`, `-11`, `-12`, `-13`, `-99`, `10`, `11`, `12`, `13`, `21`, `22`, `23`, `46`, `47`, `48`, `49`, `50`, `51`, `52`, `57`, `59`, `60`, `61`, `62`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the refund (codes `58`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    cancelPayment: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description One key per logical request, reused on its retries: the same key and body replays the first final answer (`Idempotent-Replayed: true`); another body answers 409. A 202 or a gateway failure gives the key back. A key is kept at least 24 hours from its first request (IDEMPOTENCY_KEY_RETENTION_MS), then forgotten: the same request then runs again, and `outTradeNo` or `refundNo` still answers the stored payment or refund instead of creating another.
                 * @example 7f0c1d2e-9a4b-4c55-8e1f-0a2b3c4d5e6f
                 */
                "Idempotency-Key"?: string;
                /**
                 * @description W3C trace context: the gateway's spans and the events join the caller's trace
                 * @example 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
                 */
                traceparent?: string;
            };
            path: {
                /**
                 * @description The caller's order number, unique per payment
                 * @example order-1001
                 */
                outTradeNo: string;
            };
            cookie?: never;
        };
        /** @description No body, or an empty JSON object */
        requestBody?: {
            content: {
                /** @example {} */
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Canceled */
            200: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    /** @description `true` when this is the stored answer to an earlier request with the same Idempotency-Key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Payment"];
                };
            };
            /** @description Outcome unknown: the aggregator did not answer and a query could not tell yet. Not a success and not a failure: read the payment (GET) to learn it; the request was not sent twice */
            202: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PaymentOutcomeUnknown"];
                };
            };
            /** @description Invalid request: `errors` names each bad field (body, path, `Idempotency-Key`; an amount outside 0.02–60000 or with more decimals than the currency has), or the body is not JSON, or the path is not valid percent-encoding (`errors: [{field: "path"}]`); nothing was recorded */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No `Authorization: Bearer <api key>`, or the key is not valid */
            401: {
                headers: {
                    /** @description Always `Bearer realm="paystream"` */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The API key lacks the scope payments:write and refunds:write */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such payment for this caller (another caller's orders are invisible); or: The aggregator refused the cancel (codes `31`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Idempotency-Key reused with another body, or its first request is still running (then `Retry-After` says when to try again); or the payment was paid after it was closed or canceled: refund it instead; or: The aggregator refused the cancel (codes `-53`, `-55`, `15`, `16`, `64`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            409: {
                headers: {
                    /** @description Seconds to wait; sent when the first request with this key is still running */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the limit (16 kB by default) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`, or is compressed (`Content-Encoding`), or not UTF-8 */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the cancel (codes `-54`, `04`, `06`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The gateway failed; the Idempotency-Key is given back, so the same request may be retried */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the cancel (codes `-1`, `-11`, `-12`, `-13`, `-99`, `10`, `11`, `12`, `13`, `21`, `22`, `23`, `40`, `41`, `42`, `43`, `44`, `45`, `57`, `59`, `60`, `61`, `62`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the cancel (codes `58`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    closePayment: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description One key per logical request, reused on its retries: the same key and body replays the first final answer (`Idempotent-Replayed: true`); another body answers 409. A 202 or a gateway failure gives the key back. A key is kept at least 24 hours from its first request (IDEMPOTENCY_KEY_RETENTION_MS), then forgotten: the same request then runs again, and `outTradeNo` or `refundNo` still answers the stored payment or refund instead of creating another.
                 * @example 7f0c1d2e-9a4b-4c55-8e1f-0a2b3c4d5e6f
                 */
                "Idempotency-Key"?: string;
                /**
                 * @description W3C trace context: the gateway's spans and the events join the caller's trace
                 * @example 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
                 */
                traceparent?: string;
            };
            path: {
                /**
                 * @description The caller's order number, unique per payment
                 * @example order-1001
                 */
                outTradeNo: string;
            };
            cookie?: never;
        };
        /** @description No body, or an empty JSON object */
        requestBody?: {
            content: {
                /** @example {} */
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Closed */
            200: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    /** @description `true` when this is the stored answer to an earlier request with the same Idempotency-Key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Payment"];
                };
            };
            /** @description Outcome unknown: the aggregator did not answer and a query could not tell yet. Not a success and not a failure: read the payment (GET) to learn it; the request was not sent twice */
            202: {
                headers: {
                    /** @description Payment answers are never cached */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PaymentOutcomeUnknown"];
                };
            };
            /** @description Invalid request: `errors` names each bad field (body, path, `Idempotency-Key`; an amount outside 0.02–60000 or with more decimals than the currency has), or the body is not JSON, or the path is not valid percent-encoding (`errors: [{field: "path"}]`); nothing was recorded */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No `Authorization: Bearer <api key>`, or the key is not valid */
            401: {
                headers: {
                    /** @description Always `Bearer realm="paystream"` */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The API key lacks the scope payments:write */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such payment for this caller (another caller's orders are invisible); or: The aggregator refused the close (codes `31`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Idempotency-Key reused with another body, or its first request is still running (then `Retry-After` says when to try again); or the payment was paid after it was closed or canceled: refund it instead; or: The aggregator refused the close (codes `54`, `55`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            409: {
                headers: {
                    /** @description Seconds to wait; sent when the first request with this key is still running */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the limit (16 kB by default) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`, or is compressed (`Content-Encoding`), or not UTF-8 */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the close (codes `04`, `06`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The gateway failed; the Idempotency-Key is given back, so the same request may be retried */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the close (codes `-1`, `-11`, `-12`, `-13`, `-99`, `10`, `11`, `12`, `13`, `21`, `22`, `23`, `57`, `59`, `60`, `61`, `62`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The aggregator refused the close (codes `58`): `code`, `category` and `retry` come from the status-code catalog, `title` is its English text */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    receiveUpstreamNotification: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "notify_id": "N20260115163500000001",
                 *       "notify_type": "TRADE_SUCCESS",
                 *       "out_trade_no": "order-1001",
                 *       "trade_no": "T20260115163000000001",
                 *       "status": "PAID",
                 *       "transaction_amount": "12.34",
                 *       "currency": "HKD",
                 *       "paytype": "WeChat",
                 *       "wallet": "WECHATHK",
                 *       "paid_at": "2026-01-15T08:30:00.000Z",
                 *       "User_Confirm_Key": "merchant-key",
                 *       "timestamp": "20260115163500",
                 *       "sign_type": "HMAC-SHA256",
                 *       "sign": "3f1c…"
                 *     }
                 */
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Recorded (or recorded before: the acknowledgement is repeated) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotifyAck"];
                };
            };
            /** @description The body is not JSON, its timestamp is malformed (`13`, `-13`), or amount or currency differ from the order */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Bad signature (`10`) or outside the clock window (`12`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order (`31`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the limit (16 kB by default) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A compressed body (`Content-Encoding: gzip`, `br`, …): the signature covers the plain bytes */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The gateway failed; the Idempotency-Key is given back, so the same request may be retried */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ready"];
                };
            };
            /** @description Not ready: `checks` says which dependency */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ready"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
}
