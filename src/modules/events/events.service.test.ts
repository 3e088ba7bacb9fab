import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { positionCursor } from './events.service.js';

// The text clients already hold: base64url of `<txId>.<seq>`, as Lastro wrote it before event
// cursors moved to the platform's cursor helpers.
const heldText = (txId: string, seq: bigint) => Buffer.from(`${txId}.${seq}`).toString('base64url');

describe('event cursors', () => {
  it('keep the text clients hold, byte for byte, and read it back', () => {
    expect(positionCursor.encode({ txId: '745', seq: 12n })).toBe('NzQ1LjEy');
    fc.assert(
      fc.property(fc.bigInt({ min: 3n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), (tx, seq) => {
        const text = positionCursor.encode({ txId: tx.toString(), seq });
        expect(text).toBe(heldText(tx.toString(), seq));
        expect(positionCursor.decode(text)).toEqual({ txId: tx.toString(), seq });
      }),
    );
  });

  it('refuse text this API did not make, and positions the outbox cannot hold', () => {
    for (const bad of ['', 'not-a-cursor', heldText('12', -1n), Buffer.from('12').toString('base64url'), Buffer.from('1.2.3').toString('base64url')]) {
      expect(positionCursor.decode(bad), bad).toBeUndefined();
    }
    expect(positionCursor.decode(heldText('12', 2n ** 63n))).toBeUndefined(); // seq is a bigint column
    expect(positionCursor.decode(heldText((2n ** 64n).toString(), 1n))).toBeUndefined(); // xid8 is 64 bits
  });
});
