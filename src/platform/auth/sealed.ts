// Encryption at rest for secrets Lastro must read back (its signing keys): AES-256-GCM with a
// key from LASTRO_ENCRYPTION_KEY. Without a key, values are stored as given, marked `plain:`,
// and start-up warns; with one, `v1:<iv>:<tag>:<ciphertext>`.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Sealer {
  readonly encrypted: boolean;
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSealer(keyBase64: string | undefined): Sealer {
  const key = keyBase64 ? Buffer.from(keyBase64, 'base64') : undefined;
  if (key && key.length !== 32) throw new Error('LASTRO_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  return {
    encrypted: Boolean(key),
    seal(plain) {
      if (!key) return `plain:${plain}`;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    open(sealed) {
      if (sealed.startsWith('plain:')) return sealed.slice(6);
      const [v, iv, tag, body] = sealed.split(':');
      if (v !== 'v1' || !iv || !tag || !body) throw new Error('unrecognised sealed value');
      if (!key) throw new Error('this value is encrypted: set LASTRO_ENCRYPTION_KEY to the key it was sealed with');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
