/** The hal pieces the token tests use, from their modules (the hal index exports only the token interface). */
export { FakeClock, RecordingNotifier, SimSerialBus, createSimSerialLink, type KeyToken } from '../../hal/index.js';
export type { SimSerialDevice } from '../../hal/serial-sim.js';
export { HidKeyToken } from '../../hal/token-hid.js';
export { SimulatedHidToken } from '../../hal/token-hid-sim.js';
export { SimulatedCardToken } from '../../hal/token-sim.js';
export { TokenApplet } from '../../hal/token-applet.js';
