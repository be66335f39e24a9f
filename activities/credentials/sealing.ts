/**
 * Encryption at rest of the credential store, with the payload keys (PAYLOAD_ENCRYPTION_KEYS) and their IDs:
 * the first key seals, every listed key opens, so rotation works as for the codec. Each key is not used as is
 * but through two subkeys derived with HKDF-SHA256 (distinct labels), so a store ciphertext can never pass for a
 * payload and the lookup hash never reuses the cipher's key.
 *
 * A sealed value is 12-byte IV || AES-256-GCM ciphertext || 16-byte tag; its additional data names the key ID
 * and what the row is bound to (webinar, externalUserId, meeting), so a row moved to another attendee or
 * meeting does not open. externalUserIds are never stored: the lookup column is an HMAC-SHA256 of webinar and
 * externalUserId under a subkey, so whoever reads the table cannot list or guess who registered, and one person
 * is not linkable across webinars.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { StoreKey } from '../../domain/credentials';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const CIPHER_LABEL = 'chime-webinar-orchestrator/credential-store/aes-256-gcm/v1';
const LOOKUP_LABEL = 'chime-webinar-orchestrator/credential-store/user-lookup/v1';

/** A row that cannot be opened: unknown key, wrong binding, tampered. Never says more than the row does. */
export class CredentialDecryptionError extends Error {
  override name = 'CredentialDecryptionError';
}

interface DerivedKey {
  id: string;
  cipher: Buffer;
  lookup: Buffer;
}

function derive(key: StoreKey, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), label, KEY_BYTES));
}

/** What a sealed value is bound to: its kind, then the identifiers, in an unambiguous (JSON) encoding. */
export type Binding = readonly [kind: 'meeting' | 'attendee' | 'attendance', ...ids: string[]];

export interface Sealed {
  keyId: string;
  data: Buffer;
}

export class KeyRing {
  private readonly keys: DerivedKey[];
  private readonly byId: Map<string, DerivedKey>;

  constructor(keys: readonly StoreKey[]) {
    if (keys.length === 0) throw new Error('the credential store needs at least one key');
    this.keys = keys.map((k) => {
      if (k.key.length !== KEY_BYTES) throw new Error(`key "${k.id}" must be ${KEY_BYTES} bytes`);
      return { id: k.id, cipher: derive(k, CIPHER_LABEL), lookup: derive(k, LOOKUP_LABEL) };
    });
    this.byId = new Map(this.keys.map((k) => [k.id, k]));
  }

  /** A ring of one random key, for a store that lives and dies with its process (in-memory PGlite). */
  static ephemeral(): KeyRing {
    return new KeyRing([{ id: 'ephemeral', key: randomBytes(KEY_BYTES) }]);
  }

  private get current(): DerivedKey {
    const [k] = this.keys;
    if (!k) throw new Error('no key');
    return k;
  }

  /** The lookup value of an externalUserId under the current key (what new rows are written with). */
  lookup(webinarId: string, externalUserId: string): Buffer {
    return lookupWith(this.current, webinarId, externalUserId);
  }

  /** Its lookup values under every key: rows written before a rotation are found too. */
  lookups(webinarId: string, externalUserId: string): Buffer[] {
    return this.keys.map((k) => lookupWith(k, webinarId, externalUserId));
  }

  seal(plain: Buffer, binding: Binding): Sealed {
    const k = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', k.cipher, iv);
    cipher.setAAD(additionalData(k.id, binding));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { keyId: k.id, data: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  open(sealed: Sealed, binding: Binding): Buffer {
    const k = this.byId.get(sealed.keyId);
    if (!k)
      throw new CredentialDecryptionError(`a row was sealed with key "${sealed.keyId}", not configured`);
    const { data } = sealed;
    if (data.length < IV_BYTES + TAG_BYTES) throw new CredentialDecryptionError('a row is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', k.cipher, data.subarray(0, IV_BYTES));
      decipher.setAAD(additionalData(k.id, binding));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new CredentialDecryptionError(
        `a row (key "${sealed.keyId}") does not open: tampered with, or bound to another attendee or meeting`,
      );
    }
  }
}

function lookupWith(k: DerivedKey, webinarId: string, externalUserId: string): Buffer {
  return createHmac('sha256', k.lookup)
    .update(JSON.stringify([webinarId, externalUserId]))
    .digest();
}

function additionalData(keyId: string, binding: Binding): Buffer {
  return Buffer.from(JSON.stringify(['credential-store/v1', keyId, ...binding]), 'utf8');
}
