/** A field that failed validation in a plugin route. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Throw from a plugin route to answer an RFC 9457 problem: the host maps it (and nothing else) to
 * `application/problem+json` with this status; any other error is a bare 500.
 */
export class PluginHttpError extends Error {
  override readonly name: string = 'PluginHttpError';
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: readonly FieldProblem[],
  ) {
    super(detail);
  }
}

/** 400 naming the bad fields. */
export class PluginValidationError extends PluginHttpError {
  override readonly name = 'PluginValidationError';
  constructor(errors: readonly FieldProblem[]) {
    super(400, 'Bad Request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
}

/** 404. */
export class PluginNotFoundError extends PluginHttpError {
  override readonly name = 'PluginNotFoundError';
  constructor(detail: string) {
    super(404, 'Not Found', detail);
  }
}
