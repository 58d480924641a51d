/** The PKCS#11 key store (SIGN-5) and RFC 7512 URIs. */
export { createPkcs11KeyStore, type Pkcs11KeyStoreOptions } from './keystore.js';
export { createPkcs11ProcessKeyStore, type Pkcs11ProcessKeyStoreOptions } from './process-keystore.js';
export { formatPkcs11Uri, keyRef, type Pkcs11Uri, parseKeyRef, parsePkcs11Uri } from './uri.js';
