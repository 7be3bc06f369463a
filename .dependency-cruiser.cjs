/** Layer rules of DESIGN.md §2 and STYLE.md guideline 1, checked by `make test`. */
const IO_MODULES = '^(node:)?(fs|fs/promises|net|dgram|http|https|child_process|tty|os|worker_threads|readline)$';
const DEVICE_PACKAGES = '^node_modules/(serialport|@serialport|onoff|epoll|node-hid|pcsclite|smartcard)/';

module.exports = {
  forbidden: [
    {
      name: 'pure-layers-no-io',
      comment: 'nmea/ and crypto/ are pure codecs: no file, network or device IO',
      severity: 'error',
      from: { path: '^(nmea|crypto)/' },
      to: { path: [IO_MODULES, DEVICE_PACKAGES], dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'pure-layers-inward',
      comment: 'nmea/ and crypto/ import nothing from the other layers',
      severity: 'error',
      from: { path: '^nmea/' },
      to: { path: '^(crypto|firmware|hal|provisioning|bench|cli)/' },
    },
    {
      name: 'crypto-inward',
      severity: 'error',
      from: { path: '^crypto/' },
      to: { path: '^(nmea|firmware|hal|provisioning|bench|cli)/' },
    },
    {
      name: 'devices-only-in-hal',
      comment: 'only hal/ talks to serialport, onoff, node-hid and PC/SC',
      severity: 'error',
      from: { pathNot: '^hal/' },
      to: { path: DEVICE_PACKAGES },
    },
    {
      name: 'firmware-no-tools',
      comment: 'the appliance never imports the authority tools or the bench',
      severity: 'error',
      from: { path: '^(nmea|crypto|firmware|hal)/' },
      to: { path: '^(provisioning|bench|cli)/' },
    },
    {
      name: 'nobody-imports-tools',
      comment: 'provisioning/ and bench/ are leaves: only the CLI and tests import them',
      severity: 'error',
      from: { pathNot: '^(cli|test|bench|provisioning)/' },
      to: { path: '^(provisioning|bench)/' },
    },
    {
      name: 'independent-implementation',
      comment: 'test/independent/ is a second implementation written from docs/wire-format.md alone: it imports nothing of the project (only its tests may, to make traffic)',
      severity: 'error',
      from: { path: '^test/independent/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(crypto|firmware|nmea|hal|provisioning|cli|bench|scripts)/|^test/(?!independent/)' },
    },
    {
      name: 'integrations-standalone',
      comment: 'integrations/ are packages installed into other software (a Signal K config directory): they import nothing of the project',
      severity: 'error',
      from: { path: '^integrations/' },
      to: { path: '^(nmea|crypto|firmware|hal|provisioning|cli|bench|scripts|test)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
