import type { ESLint } from 'eslint';

/** Lastro's lint rules for module boundaries (eslint.boundaries.js). */
export declare const boundaries: ESLint.Plugin;
