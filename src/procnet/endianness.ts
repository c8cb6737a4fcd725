import {EnvironmentError} from '../errors.js';

/** Byte order of the host kernel, which /proc/net addresses are printed in. */
export type Endianness = 'le' | 'be';

// Big-endian names from uname -m and GOARCH (both appear as `docker info`
// Architecture). Plain `mips`/`mips64` are GOARCH's big-endian ports.
const BIG = /^(s390x?|ppc|ppc64|powerpc|powerpc64|sparc|sparc64|sparcv9|m68k|hppa|parisc|parisc64|mips|mips64|armeb|armv\d+b|aarch64_be|arm64be)$/;
const LITTLE = /^(x86_64|amd64|x64|x86|i[3-6]86|386|aarch64|arm64|arm|armel|armhf|armv\d+[a-z]*|ppc64le|ppc64el|powerpc64le|riscv32|riscv64|loongarch64|loong64|mipsel|mipsle|mips64el|mips64le|wasm)$/;

/**
 * The byte order of a Docker host from `docker info`'s Architecture (uname -m
 * names such as `x86_64`, `aarch64`, `s390x`) or GOARCH names (`amd64`,
 * `arm64`, `ppc64le`). Throws for a name it does not know rather than guess,
 * since a wrong guess silently garbles every address.
 */
export function endiannessOf(architecture: string): Endianness {
  const arch = architecture.trim().toLowerCase();
  if (BIG.test(arch)) return 'be';
  if (LITTLE.test(arch)) return 'le';
  throw new EnvironmentError(`unknown Docker host architecture "${architecture}": cannot tell the byte order of /proc/net addresses.`);
}
