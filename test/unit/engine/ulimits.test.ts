import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {engineHardLimits, parseLimits, refusedRlimit, socketHolders, ulimitsWithin} from '../../../src/engine/ulimits.js';

const LIMITS = (nofile: string, nproc: string) => `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max processes             ${nproc.padEnd(20)} ${nproc.padEnd(20)} processes
Max open files            ${nofile.padEnd(20)} ${nofile.padEnd(20)} files
`;

describe('an engine that cannot give its default ulimits', () => {
  test('runc and crun name the refused resource', () => {
    expect(refusedRlimit('runc: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: OCI permission denied')).toBe('nofile');
    expect(refusedRlimit('error setting rlimit type 6: operation not permitted')).toBe('nproc');
    expect(refusedRlimit('crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted: OCI permission denied')).toBe('nofile');
    expect(refusedRlimit('error setting rlimit type 99: operation not permitted')).toBe('type 99');
    expect(refusedRlimit('exec: "/app": stat /app: no such file or directory')).toBeUndefined();
  });

  test('/proc/<pid>/limits: the hard limits; unlimited is no number', () => {
    expect(parseLimits(LIMITS('20000', '32768'))).toEqual({nofile: 20000, nproc: 32768});
    expect(parseLimits(LIMITS('unlimited', '32768'))).toEqual({nproc: 32768});
    expect(parseLimits('')).toEqual({});
    expect(ulimitsWithin({nofile: 20000, nproc: 32768, from: 'x'})).toEqual([
      {Name: 'nofile', Soft: 20000, Hard: 20000},
      {Name: 'nproc', Soft: 32768, Hard: 32768}
    ]);
  });

  /**
   * A fake /proc: pid 40 holds the engine's listening socket (inode 5001, bound
   * at a path that, seen through its root, is `sock`), pid 41 an unrelated
   * listening socket, pid 42 a connection to the engine (not listening).
   */
  const fakeProc = () => {
    const dir = mkdtempSync(join(tmpdir(), 'portgate-proc-'));
    const sock = join(dir, 'engine.sock');
    writeFileSync(sock, '');
    const proc = join(dir, 'proc');
    mkdirSync(join(proc, 'net'), {recursive: true});
    writeFileSync(
      join(proc, 'net', 'unix'),
      [
        'Num       RefCount Protocol Flags    Type St Inode Path',
        `0000000000000000: 00000002 00000000 00010000 0001 01 5001 ${sock}`,
        '0000000000000000: 00000002 00000000 00010000 0001 01 5002 /run/other.sock',
        `0000000000000000: 00000003 00000000 00000000 0001 03 5003 ${sock}`
      ].join('\n')
    );
    const pid = (n: number, inode: number, limits: string) => {
      mkdirSync(join(proc, String(n), 'fd'), {recursive: true});
      symlinkSync(`socket:[${inode}]`, join(proc, String(n), 'fd', '3'));
      symlinkSync('/', join(proc, String(n), 'root'));
      writeFileSync(join(proc, String(n), 'limits'), limits);
      writeFileSync(join(proc, String(n), 'cmdline'), 'podman\0system\0service\0--time=0\0');
    };
    pid(40, 5001, LIMITS('20000', '32768'));
    pid(41, 5002, LIMITS('1024', '1024'));
    pid(42, 5003, LIMITS('10', '10'));
    mkdirSync(join(proc, 'self'));
    writeFileSync(join(proc, 'self', 'limits'), LIMITS('20000', '96362'));
    return {proc, sock};
  };

  test("the engine's process is the one holding its listening socket, whatever the path it bound", async () => {
    const {proc, sock} = fakeProc();
    expect(await socketHolders(sock, proc)).toEqual([40]);
    expect(await engineHardLimits(sock, proc)).toEqual({nofile: 20000, nproc: 32768, from: "the engine's process (pid 40, podman system service)"});
  });

  test("an engine that is not local (or not found): portgate's own hard limits, and it says so", async () => {
    const {proc} = fakeProc();
    expect(await engineHardLimits(undefined, proc)).toEqual({nofile: 20000, nproc: 96362, from: "portgate's own process (the engine's could not be read: it is not local)"});
    expect(await engineHardLimits('/nonexistent.sock', proc)).toMatchObject({nproc: 96362, from: "portgate's own process (the engine's could not be read)"});
    expect(await engineHardLimits(undefined, '/nonexistent-proc')).toBeUndefined();
  });
});
