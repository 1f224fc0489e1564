export const SECRET_BYTES = Buffer.from('erp-test-secret-0123456789abcdef');
export const SECRET = `whsec_${SECRET_BYTES.toString('base64')}`;
