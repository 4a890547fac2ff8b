/**
 * Where the libtorch addon lives and where libtorch is installed: shared by the build
 * script and the engine that loads the addon.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The addon, relative to the package root. */
export const TORCH_ADDON_PATH = path.join('native', 'torch', 'build', 'octotorch.node');

/** A libtorch installation. */
export interface LibtorchInstall {
  /** Prefix holding `include/torch` and the libraries. */
  prefix: string;
  /** Include folders the addon needs. */
  includeDirs: string[];
  /** Folder of libtorch.so, libtorch_cpu.so and libc10.so. */
  libDir: string;
}

/**
 * Finds libtorch under `LIBTORCH_DIR`, else the standard prefixes (`/usr`, `/usr/local`,
 * where Debian's `libtorch-dev` installs). Null when none has both headers and libraries.
 */
export function findLibtorch(env: Readonly<Record<string, string | undefined>>, exists: (p: string) => boolean = fs.existsSync): LibtorchInstall | null {
  const prefixes = env.LIBTORCH_DIR !== undefined && env.LIBTORCH_DIR !== '' ? [env.LIBTORCH_DIR] : ['/usr', '/usr/local'];
  for (const prefix of prefixes) {
    const include = path.join(prefix, 'include');
    const api = path.join(include, 'torch', 'csrc', 'api', 'include');
    if (!exists(path.join(api, 'torch', 'torch.h'))) continue;
    const libDir = [path.join(prefix, 'lib', 'x86_64-linux-gnu'), path.join(prefix, 'lib', 'aarch64-linux-gnu'), path.join(prefix, 'lib')].find((d) =>
      exists(path.join(d, 'libtorch_cpu.so')),
    );
    if (libDir === undefined) continue;
    return { prefix, includeDirs: [api, include], libDir };
  }
  return null;
}
