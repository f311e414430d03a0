/** `// tensorcost: device <id>`: the device a TS/JS file is costed on (browser code often runs on a laptop GPU). */
const DEVICE = /^\s*\/\/\s*tensorcost:\s*device[\s=]+([\w.-]+)/m;

export function readDeviceDirective(text: string): string | undefined {
  return DEVICE.exec(text)?.[1];
}
