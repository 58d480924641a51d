/** A QR code as inline SVG (the `qrcode` package), labelled for assistive technology. */
import QRCode from 'qrcode';

export async function qrSvg(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 240 });
  return svg.replace('<svg ', '<svg role="img" aria-label="QR code of the authenticator key" ');
}
