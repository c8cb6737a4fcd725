import {mkdtempSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {parseProcessDump, parseSnapshot} from '../../../src/engine/readers/sections.js';
import {openHostReader} from '../../../src/engine/readers/host.js';

const TCP = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n';

describe('probe output sections', () => {
  test('splits a snapshot into tables and ignores missing ones', () => {
    const snap = parseSnapshot(`@@portgate tcp\n${TCP}@@portgate udp\n  sl  local_address\n@@portgate bogus\nnoise\n`);
    expect(Object.keys(snap)).toEqual(['tcp', 'udp']);
    expect(snap.tcp).toBe(TCP);
  });

  test('lists each process with its fd links, for the inode → process map', () => {
    const dump = '@@portgate pid 1 /sbin/docker-init -- /app\n/dev/null\n@@portgate pid 7 /app --port 8080 \nsocket:[4242]\npipe:[9]\nsocket:[4243]\n@@portgate pid 99\n';
    expect(parseProcessDump(dump)).toEqual([
      {pid: 1, command: '/sbin/docker-init -- /app', fdLinks: ['/dev/null']},
      {pid: 7, command: '/app --port 8080', fdLinks: ['socket:[4242]', 'pipe:[9]', 'socket:[4243]']},
      {pid: 99, command: '?', fdLinks: []}
    ]);
  });
});

/** A fake procfs tree: the host reader only reads files and links, so a folder stands in for /proc. */
const fakeProc = (containerId: string, cgroupId: string) => {
  const root = mkdtempSync(join(tmpdir(), 'portgate-proc-'));
  const proc = (pid: number, netns: string, cmd: string[], sockets: number[]) => {
    const d = join(root, String(pid));
    mkdirSync(join(d, 'net'), {recursive: true});
    mkdirSync(join(d, 'ns'));
    mkdirSync(join(d, 'fd'));
    symlinkSync(netns, join(d, 'ns', 'net'));
    writeFileSync(join(d, 'cmdline'), `${cmd.join('\0')}\0`);
    writeFileSync(join(d, 'cgroup'), `12:memory:/docker/${cgroupId}\n`);
    sockets.forEach((s, i) => symlinkSync(`socket:[${s}]`, join(d, 'fd', String(i + 3))));
    writeFileSync(join(d, 'net', 'tcp'), TCP);
    writeFileSync(join(d, 'net', 'udp'), '  sl  local_address\n');
  };
  proc(100, 'net:[4026532999]', ['/sbin/docker-init', '--', '/app'], []);
  proc(101, 'net:[4026532999]', ['/app', '--listen'], [4242]);
  proc(200, 'net:[4026531840]', ['sshd'], [4242]); // another namespace: same inode number must not leak in
  return {root, containerId};
};

describe('host reader', () => {
  const id = 'a'.repeat(64);
  test('reads the tables and maps processes within the container netns only', async () => {
    const {root} = fakeProc(id, id);
    const reader = await openHostReader(id, 100, root);
    expect(reader?.kind).toBe('host');
    expect(reader?.trusted).toBe(true);
    const snap = await reader!.snapshot();
    expect(snap.tcp).toBe(TCP);
    expect(snap.tcp6).toBeUndefined();
    expect([...(await reader!.processes())]).toEqual([[4242, {pid: 101, command: '/app --listen'}]]);
  });

  test('refuses a pid that is not provably the container (Docker-in-Docker, remote engine)', async () => {
    const {root} = fakeProc(id, 'b'.repeat(64));
    expect(await openHostReader(id, 100, root)).toBeUndefined();
    expect(await openHostReader(id, 0, root)).toBeUndefined();
    expect(await openHostReader(id, 4_000_000, root)).toBeUndefined();
  });
});
