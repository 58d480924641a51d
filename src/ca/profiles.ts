/**
 * The certificate profiles (CA-1, SEAL-1, TSA-1, CA-2): one table, so that what each kind of
 * certificate carries is decided in one place and tested as a whole (RFC 5280 §4.2; RFC 3161
 * §2.3; RFC 6960 §4.2.2.2; ETSI EN 319 412-2/-3 for natural-person and legal-person certificates).
 */
import type { Extension } from 'pkijs';
import {
  authorityInfoAccess,
  basicConstraints,
  certificatePolicies,
  crlDistributionPoint,
  EKU,
  extKeyUsage,
  KeyUsageBit,
  keyUsage,
  ocspNoCheck,
  subjectAltDns,
} from './extensions.js';

export type ProfileName = 'signing' | 'seal' | 'tsa' | 'ocsp' | 'tls' | 'issuing-ca';

/** Where relying parties find the issuer, its CRL and its OCSP responder (filled from config). */
export interface IssuerUrls {
  readonly caIssuers: string;
  readonly crl: string;
  readonly ocsp?: string;
}

export interface ProfileInput {
  readonly urls: IssuerUrls;
  /** Policy OIDs the service issues under (CA-3: its certificate policy). */
  readonly policies: readonly string[];
  /** TLS: the DNS names. */
  readonly dnsNames?: readonly string[];
}

interface Profile {
  readonly description: string;
  readonly maxValidityDays: number;
  extensions(input: ProfileInput): Extension[];
}

const { digitalSignature, nonRepudiation, keyEncipherment, keyCertSign, cRLSign } = KeyUsageBit;

/** Issued certificates point at the issuer's repository entries and revocation services. */
const pointers = (u: IssuerUrls, withOcsp: boolean): Extension[] => [
  authorityInfoAccess({ ...(withOcsp && u.ocsp ? { ocsp: u.ocsp } : {}), caIssuers: u.caIssuers }),
  crlDistributionPoint(u.crl),
];

/** Signatures and seals alike: content commitment under the service's policies (EN 319 412-2/-3). */
const commitment = (i: ProfileInput): Extension[] => [
  basicConstraints(false),
  keyUsage([digitalSignature, nonRepudiation]),
  certificatePolicies(i.policies),
  ...pointers(i.urls, true),
];

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  signing: {
    description: 'natural person signing (non-repudiation / content commitment)',
    maxValidityDays: 3 * 365,
    extensions: commitment,
  },
  seal: {
    description: 'electronic seal of an organisation (legal person)',
    maxValidityDays: 3 * 365,
    extensions: commitment,
  },
  tsa: {
    description: 'time-stamping unit (RFC 3161: the only purpose, critical)',
    maxValidityDays: 6 * 365,
    extensions: (i) => [
      basicConstraints(false),
      keyUsage([digitalSignature]),
      extKeyUsage([EKU.timeStamping], true),
      certificatePolicies(i.policies),
      ...pointers(i.urls, true),
    ],
  },
  ocsp: {
    description: 'delegated OCSP responder (RFC 6960: id-kp-OCSPSigning, not checked by OCSP)',
    maxValidityDays: 90,
    extensions: (i) => [
      basicConstraints(false),
      keyUsage([digitalSignature]),
      extKeyUsage([EKU.ocspSigning], false),
      ocspNoCheck(),
      // RFC 6960 §4.2.2.2.1: nocheck, so no OCSP pointer; the CRL stays for relying parties that want it.
      ...pointers(i.urls, false),
    ],
  },
  tls: {
    description: "TLS server certificate for the service's own endpoint",
    maxValidityDays: 398,
    extensions: (i) => [
      basicConstraints(false),
      keyUsage([digitalSignature, keyEncipherment]),
      extKeyUsage([EKU.serverAuth], false),
      subjectAltDns(i.dnsNames ?? []),
      ...pointers(i.urls, true),
    ],
  },
  'issuing-ca': {
    description: 'issuing CA under the root (issues end-entity certificates only: pathLen 0)',
    maxValidityDays: 10 * 365,
    extensions: (i) => [
      basicConstraints(true, 0),
      keyUsage([keyCertSign, cRLSign]),
      certificatePolicies(i.policies),
      ...pointers(i.urls, false),
    ],
  },
};

export const isProfileName = (p: string): p is ProfileName => Object.hasOwn(PROFILES, p);
