// One assertion for Lastro's one error body: { code, message, details?, cid }.
import { expect } from 'vitest';

export interface ErrorResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  body?: string;
  json: () => any;
}

/**
 * Asserts the status, the code, a message, the cid (equal to the x-cid header) and, when `field`
 * is given, that `details` names that field (`body.name`, `query.page`, …). Returns the body.
 */
export function expectError(res: ErrorResponse, status: number, code: string, field?: string): any {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.cid).toBe(res.headers['x-cid']);
  if (field !== undefined) {
    expect(Array.isArray(body.details), `details of ${code}`).toBe(true);
    expect(body.details.map((d: { field: string }) => d.field)).toContain(field);
  }
  return body;
}
