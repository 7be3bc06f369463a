/**
 * CRC-32 of ISO/IEC 13239:2002 as S-63 §5.4 names it: the ordinary zlib/PKZIP CRC (reflected polynomial
 * 0x04C11DB7, init and xorout 0xFFFFFFFF). Checked against zlib's in the tests and against both published S-63
 * checksums.
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
