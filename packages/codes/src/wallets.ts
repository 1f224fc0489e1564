/**
 * The wallets Paystream offers callers. The appendix names WECHATCN, WECHATHK and Alipay (code 30);
 * Alipay comes in a mainland (CNY) and a Hong Kong (HKD) flavour, so callers pick ALIPAYCN or ALIPAYHK.
 */
export const WALLETS = ['WECHATCN', 'WECHATHK', 'ALIPAYCN', 'ALIPAYHK'] as const;
export type Wallet = (typeof WALLETS)[number];

/** The aggregator's `paytype` for a wallet. */
export function payTypeOf(wallet: Wallet): 'WeChat' | 'Alipay' {
  return wallet.startsWith('WECHAT') ? 'WeChat' : 'Alipay';
}

export function isWallet(value: unknown): value is Wallet {
  return typeof value === 'string' && (WALLETS as readonly string[]).includes(value);
}
