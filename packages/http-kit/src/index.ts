export * from './auth.js';
export * from './client-error.js';
export * from './errors.js';
export * from './openapi.js';
export * from './problem.js';
export * from './route.js';
