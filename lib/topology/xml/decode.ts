// Topology documents arrive as bytes in several encodings: Topology Builder writes UTF-8 with a BOM,
// Windows PowerShell's `Get-CsTopology -AsXml > file` writes UTF-16LE with a BOM. Decode by BOM,
// then by the zero-byte pattern of an unmarked UTF-16 '<', else UTF-8.

export function decodeTopologyBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.toString('utf8', 3);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return b.toString('utf16le', 2);
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return swap16(b.subarray(2)).toString('utf16le');
  if (b.length >= 2 && b[0] === 0x3c && b[1] === 0x00) return b.toString('utf16le');
  if (b.length >= 2 && b[0] === 0x00 && b[1] === 0x3c) return swap16(b).toString('utf16le');
  return b.toString('utf8');
}

function swap16(b: Buffer): Buffer {
  const copy = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  return copy.swap16();
}
