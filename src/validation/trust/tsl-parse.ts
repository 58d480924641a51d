/**
 * Reading an ETSI TS 119 612 trusted list (TSL) into typed values: the scheme information
 * (territory, sequence number, issue date, NextUpdate) and every TSPService's type, status history
 * and X.509 digital identities. The XML is parsed by the hardened parser of src/formats/xades (size
 * limit, UTF-8 only, no DOCTYPE, so no entities). The signature is checked in tsl-signature.ts.
 * A ServiceHistoryInstance contributes its status period only (the type and identities of the
 * current ServiceInformation are kept for the service).
 */
import { X509Certificate } from 'node:crypto';
import type { Element, Node } from '@xmldom/xmldom';
import { ShomeiError } from '../../errors.js';
import type { ParsedXml } from '../../formats/xades/index.js';
import { SERVICE_TYPE_PREFIX, type StatusPeriod, type TrustList, type TrustService } from './model.js';

/** TS 119 612 Annex C: the namespace of every TSL element. */
export const TSL_NS = 'http://uri.etsi.org/02231/v2#';

/** xsd:dateTime with an explicit zone (TS 119 612 §5.1.4: UTC). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const listInvalid = (source: string, detail: string): ShomeiError =>
  new ShomeiError('trust_list_invalid', { source, detail });

/** Element access in the TSL namespace; every structural fault names the element. */
function tslReader(source: string) {
  const kids = (el: Element, local: string): Element[] => {
    const out: Element[] = [];
    for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
      const e = n as Element;
      if (n.nodeType === n.ELEMENT_NODE && e.namespaceURI === TSL_NS && e.localName === local) out.push(e);
    }
    return out;
  };
  const one = (el: Element, local: string): Element => {
    const found = kids(el, local);
    if (found.length !== 1) throw listInvalid(source, `expected one ${local} in ${el.localName}`);
    return found[0] as Element;
  };
  const text = (el: Element): string => (el.textContent ?? '').trim();
  const time = (el: Element): number => {
    const t = text(el);
    if (!DATE_TIME.test(t)) throw listInvalid(source, `${el.localName} "${t}"`);
    return Date.parse(t);
  };
  /** The first multilingual Name of a TSPName / ServiceName. */
  const name = (el: Element | undefined): string => (el ? text(kids(el, 'Name')[0] ?? el) : '');
  const certificate = (el: Element): Buffer => {
    const der = Buffer.from(text(el).replace(/\s+/g, ''), 'base64');
    try {
      new X509Certificate(der);
    } catch {
      throw listInvalid(source, 'a ServiceDigitalIdentity X509Certificate does not parse');
    }
    return der;
  };
  return { kids, one, text, time, name, certificate };
}

type Reader = ReturnType<typeof tslReader>;

/** TS 119 612 §5.5 ServiceInformation and §5.6 ServiceHistory of one TSPService. */
function readService(r: Reader, providerName: string, svc: Element): TrustService {
  const period = (info: Element): StatusPeriod => ({
    status: r.text(r.one(info, 'ServiceStatus')),
    starting: r.time(r.one(info, 'StatusStartingTime')),
  });
  const info = r.one(svc, 'ServiceInformation');
  const type = r.text(r.one(info, 'ServiceTypeIdentifier'));
  const identities = r.kids(r.one(info, 'ServiceDigitalIdentity'), 'DigitalId');
  const history = r.kids(svc, 'ServiceHistory').flatMap((h) => r.kids(h, 'ServiceHistoryInstance').map(period));
  return {
    providerName,
    name: r.name(r.kids(info, 'ServiceName')[0]),
    type,
    kind: type.startsWith(SERVICE_TYPE_PREFIX) ? type.slice(SERVICE_TYPE_PREFIX.length) : type,
    history: [period(info), ...history],
    certificates: identities.flatMap((d) => r.kids(d, 'X509Certificate').map(r.certificate)),
  };
}

/** Reads the list's elements (after its signature was checked); faults are trust_list_invalid. */
export function readTrustList({ root }: ParsedXml, source: string): TrustList {
  const r = tslReader(source);
  if (root.namespaceURI !== TSL_NS || root.localName !== 'TrustServiceStatusList') {
    throw listInvalid(source, 'the root element is not a TS 119 612 TrustServiceStatusList');
  }
  const scheme = r.one(root, 'SchemeInformation');
  const seq = r.text(r.one(scheme, 'TSLSequenceNumber'));
  if (!/^[1-9][0-9]{0,8}$/.test(seq)) throw listInvalid(source, `TSLSequenceNumber "${seq}"`);
  const next = r.kids(r.one(scheme, 'NextUpdate'), 'dateTime')[0];
  const providers = r.kids(root, 'TrustServiceProviderList').flatMap((l) => r.kids(l, 'TrustServiceProvider'));
  return {
    source,
    territory: r.text(r.one(scheme, 'SchemeTerritory')),
    sequenceNumber: Number(seq),
    issued: r.time(r.one(scheme, 'ListIssueDateTime')),
    // TS 119 612 §5.3.15: a NextUpdate without dateTime means the list is closed.
    nextUpdate: next ? r.time(next) : Number.NEGATIVE_INFINITY,
    services: providers.flatMap((p) => {
      const providerName = r.name(r.kids(r.one(p, 'TSPInformation'), 'TSPName')[0]);
      return r.kids(r.one(p, 'TSPServices'), 'TSPService').map((s) => readService(r, providerName, s));
    }),
  };
}
