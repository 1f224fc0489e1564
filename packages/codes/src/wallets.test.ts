import { expect, it } from 'vitest';
import { isWallet, payTypeOf, WALLETS } from './wallets.js';

it('maps each wallet to the aggregator paytype', () => {
  expect(WALLETS.map(payTypeOf)).toEqual(['WeChat', 'WeChat', 'Alipay', 'Alipay']);
  expect(isWallet('ALIPAYHK')).toBe(true);
  expect(isWallet('alipayhk')).toBe(false);
});
