// Topology documents arrive as bytes in several encodings: Topology Builder writes UTF-8 with a BOM,
// Windows PowerShell's `Get-CsTopology -AsXml > file` writes UTF-16LE with a BOM, and its Set-Content (or
// Out-File -Encoding Default) writes the ANSI code page, Windows-1252 on Western systems. Decode by BOM,
// then by the zero-byte pattern of unmarked UTF-16, else UTF-8, else Windows-1252.

export interface DecodedDocument {
  text: string;
  /** Set when the bytes were not valid UTF-8 and were read as Windows-1252: names may be misread. */
  warning?: string;
}

export function decodeTopologyDocument(bytes: Uint8Array, sourceName: string): DecodedDocument {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { text: b.toString('utf8', 3) };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { text: b.toString('utf16le', 2) };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { text: swap16(b.subarray(2)).toString('utf16le') };
  // Unmarked UTF-16: the zero high byte of the first character, whatever it is ('<', or a line break before it).
  if (b.length >= 2 && b[0] !== 0x00 && b[1] === 0x00) return { text: b.toString('utf16le') };
  if (b.length >= 2 && b[0] === 0x00 && b[1] !== 0x00) return { text: swap16(b).toString('utf16le') };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(b) };
  } catch {
    // Decoded as UTF-8, 'München' would become 'M\uFFFDnchen' in the draft without a word.
    return {
      text: new TextDecoder('windows-1252').decode(b),
      warning:
        `'${sourceName}' is not valid UTF-8; it was read as Windows-1252 (what Windows PowerShell's Set-Content writes). ` +
        'Check the site names with accented letters, or export it again with Out-File -Encoding UTF8.',
    };
  }
}

function swap16(b: Buffer): Buffer {
  const copy = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  return copy.swap16();
}
