// Paging, once for every list. Pismo's APIs page by offset in three spellings (`page`/`perPage`,
// `pageOffset`/`pageSize`, `page`/`limit`); append-only data (journals, events) pages by an opaque
// cursor over a strictly increasing key, so a reader never skips or repeats a row while others write.
import { Type } from 'typebox';
import { PlatformErrors } from './errors.js';

/** What a repository needs: how many rows to skip and how many to return. */
export interface PageRequest {
  /** 1-based page number. */
  page: number;
  size: number;
  offset: number;
}

export const MAX_PAGE_SIZE = 100;

/** A page request from a 1-based page number and a size (already validated by the route schema). */
export function pageRequest(page: number | undefined, size: number | undefined, defaultSize = 10): PageRequest {
  const p = page ?? 1;
  const s = size ?? defaultSize;
  return { page: p, size: s, offset: (p - 1) * s };
}

/** A page request from a 0-based page offset (Pismo's `pageOffset`/`pageSize`). */
export const pageRequestFromOffset = (pageOffset: number | undefined, size: number | undefined, defaultSize = 10): PageRequest =>
  pageRequest((pageOffset ?? 0) + 1, size, defaultSize);

/** Query parameters `page` (from 1) and `perPage`. */
export const PagePerPageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'Page number, from 1.' })),
  perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 10, description: `Items per page (at most ${MAX_PAGE_SIZE}).` })),
};

/** Query parameters `pageOffset` (from 0) and `pageSize`. */
export const PageOffsetQuery = {
  pageOffset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Page number, from 0.' })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 10, description: `Items per page (at most ${MAX_PAGE_SIZE}).` })),
};

/** Query parameters `page` (from 1) and `limit`. */
export const PageLimitQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'Page number, from 1.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 10, description: `Items per page (at most ${MAX_PAGE_SIZE}).` })),
};

/** The body of a Pismo list: `{ current_page, per_page, pages, total_items, items }`. */
export const PismoPage = <T extends Parameters<typeof Type.Array>[0]>(item: T, title: string) =>
  Type.Object(
    {
      current_page: Type.Integer(),
      per_page: Type.Integer(),
      pages: Type.Integer(),
      total_items: Type.Integer(),
      items: Type.Array(item),
    },
    { title },
  );

export interface PismoPageBody<T> {
  current_page: number;
  per_page: number;
  pages: number;
  total_items: number;
  items: T[];
}

export const pismoPage = <T>(req: PageRequest, total: number, items: T[]): PismoPageBody<T> => ({
  current_page: req.page,
  per_page: req.size,
  pages: Math.ceil(total / req.size),
  total_items: total,
  items,
});

// ---- cursors ---------------------------------------------------------------------------------

/** A cursor is the last row's key, a tuple of non-negative integers (e.g. `[txId, seq]`). */
export type CursorKey = readonly bigint[];

/** The opaque text of a cursor: the key's parts joined with `.`, base64url. */
export const encodeCursor = (key: CursorKey): string => Buffer.from(key.join('.')).toString('base64url');

/**
 * The key of a cursor made by `encodeCursor` with `arity` parts, or a 400 naming `field`. Parts are
 * at most 20 digits (uint64), so a forged cursor cannot reach the database as an out-of-range value.
 */
export function decodeCursor(text: string, arity: number, field = 'query.cursor'): CursorKey {
  const parts = Buffer.from(text, 'base64url').toString('utf8').split('.');
  const ok = parts.length === arity && parts.every((p) => /^\d{1,20}$/.test(p) && BigInt(p) <= 0xffff_ffff_ffff_ffffn);
  if (!ok) throw PlatformErrors.validation([{ field, reason: 'is not a cursor this API returned' }]);
  return parts.map((p) => BigInt(p));
}

/** One page of cursor-paged rows: `limit` rows were asked for, `limit + 1` read to know if more follow. */
export function cursorPage<R>(rows: R[], limit: number, keyOf: (row: R) => CursorKey): { items: R[]; next_cursor?: string } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last ? { items, next_cursor: encodeCursor(keyOf(last)) } : { items };
}

