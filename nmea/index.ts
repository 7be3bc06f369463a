/** Public surface of the NMEA/AIS codec layer (DESIGN.md §2). */
export * from './errors.js';
export { xorChecksum, formatChecksum } from './checksum.js';
export { parseTagBlock, formatTagBlock, type TagBlock, type TagGroup } from './tagblock.js';
export { parseSentence, formatSentence, MAX_SENTENCE_LENGTH, type NmeaSentence } from './sentence.js';
export { armour, unarmour, type AisBits } from './sixbit.js';
export { BitReader, BitWriter } from './bits.js';
export { decodeAis, encodeAis, replaceMmsi, isAddressedBinary, isBroadcastBinary, type AisMessage, type AisAddressedBinary, type AisBroadcastBinary } from './ais.js';
export { parseVdm, encodeVdm, isVdm, SequentialId, type VdmFragment, type VdmEncodeOptions } from './vdm.js';
export { FragmentAssembler, VdmAssembler, type Assembled, type AssembledVdm, type AssemblerOptions, type Fragment } from './assembler.js';
export { gpsdJsonText, toGpsdJson, type GpsdJson, type GpsdJsonOptions } from './gpsd.js';
export { writeGpsdJson } from './gpsd-writer.js';
export { Type24Merger, TYPE24_PENDING } from './type24.js';
export { AisLineDecoder, type AisLineDecoderOptions, type DecodedAis, type LineResult, type StreamCounters } from './stream.js';
export { joinApplicationData, splitApplicationData, MAX_BINARY_DATA_BITS, type ApplicationData } from './binary.js';
export { encodeAbm, parseAbm, toAbmMessage, ABM_MESSAGE_IDS, type AbmMessage, type AbmFragment, type AbmMessageId, type AisChannelRequest } from './abm.js';
export { encodeBbm, parseBbm, toBbmMessage, BBM_MESSAGE_IDS, type BbmMessage, type BbmFragment, type BbmMessageId } from './bbm.js';
export { parseAbk, ABK_ACK_TYPES, type Abk, type AbkAckType } from './abk.js';
