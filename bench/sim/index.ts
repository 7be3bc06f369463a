/** The bench simulator's public names: traffic (vessels, fleet, corpus replay), the VHF data link model, the scenario loop. */
export { createRng, type Rng } from './rng.js';
export { NM, toGeo, toLocal, distanceM, type GeoPoint, type LocalPoint } from './geo.js';
export * from './fields.js';
export {
  BASE_INTERVAL_MS,
  NavStatus,
  PART_B_DELAY_MS,
  STATIC_INTERVAL_MS,
  classAIntervalMs,
  classBIntervalMs,
  createTraffic,
  type BaseStationSpec,
  type Kinematics,
  type RequestKind,
  type ShipStatic,
  type StationSpec,
  type Traffic,
  type TrafficConfig,
  type TransmissionRequest,
  type VesselSpec,
} from './vessels.js';
export { randomFleet, type FleetConfig } from './fleet.js';
export {
  CHANNELS,
  DEFAULT_SELECTION_SLOTS,
  FRAME_MS,
  MAX_SLOTS,
  SLOTS_PER_FRAME,
  SLOT_MS,
  Vdl,
  slotAtOrAfter,
  slotsForBits,
  type Access,
  type Channel,
  type FrameLoad,
  type Reception,
  type Scheduled,
  type Transmission,
  type VdlConfig,
  type VdlCounters,
  type VdlEnvironment,
} from './vdl.js';
export {
  Scenario,
  plainAis,
  type OutgoingMessage,
  type ScenarioContext,
  type ScenarioHooks,
  type ScenarioOptions,
} from './scenario.js';
export { replaySentences, type ReplayOptions, type ReplayResult, type ReplayedMessage } from './replay.js';
