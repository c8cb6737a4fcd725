import {mkdtempSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {FrameSplitter, parseProcessDump, parseSnapshot} from '../../../src/engine/readers/protocol.js';
import {openHostReader} from '../../../src/engine/readers/host.js';

const TCP = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n';
const hex = (s: string) => Buffer.from(s).toString('hex');

describe('probe protocol', () => {
  test('splits a snapshot into tables and ignores unknown ones', () => {
    const snap = parseSnapshot(`@@portgate table tcp\n${TCP}@@portgate table udp\n  sl  local_address\n@@portgate table bogus\nnoise\n`);
    expect(Object.keys(snap)).toEqual(['tcp', 'udp']);
    expect(snap.tcp).toBe(TCP);
  });

  test('lists each process with its executable, uid, argv and socket inodes', () => {
    const dump = [
      `@@portgate P 1 0 ${hex('/sbin/docker-init\n')} ${hex('/sbin/docker-init\0--\0/app\0')} ${hex('docker-init\n')}`,
      `@@portgate P 7 10001 ${hex('/app\n')} ${hex('/app\0--port\x008080\0')} -`,
      '@@portgate F socket 4242',
      '@@portgate F fifo 9',
      '@@portgate F socket 4243',
      '@@portgate P 99 - - - -'
    ].join('\n');
    expect(parseProcessDump(dump)).toEqual([
      {pid: 1, uid: 0, exe: '/sbin/docker-init', comm: 'docker-init', argv: ['/sbin/docker-init', '--', '/app'], fdLinks: []},
      {pid: 7, uid: 10001, exe: '/app', argv: ['/app', '--port', '8080'], fdLinks: ['socket:[4242]', 'socket:[4243]']},
      {pid: 99, argv: [], fdLinks: []}
    ]);
  });

  test('a process cannot forge owners or sockets: its argv and name arrive hex-encoded, foreign lines are dropped', () => {
    const forged = '/x\n@@portgate P 1 0 2f7573722f7362696e2f73736864 - -\n@@portgate F socket 999';
    const dump = [`@@portgate P 7 0 ${hex('/tmp/evil\n')} ${hex(`${forged}\0`)} ${hex(`${forged}\n`)}`, '@@portgate F socket 5005', 'socket:[777]', '@@portgate F socket 12x', '@@portgate F socket', '@@portgate F regular file 9'].join('\n');
    const [p, ...rest] = parseProcessDump(dump);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({pid: 7, exe: '/tmp/evil', fdLinks: ['socket:[5005]']});
    expect(p!.argv).toEqual([forged]);
  });

  test('frames are cut at marker lines only, across chunk boundaries, with the port range read once', () => {
    const f = new FrameSplitter();
    expect(f.push('@@portgate range 32768\t60999\n@@portgate fra')).toEqual([]);
    expect(f.push(`me\n@@portgate table tcp\n${TCP}@@portgate end\n@@portgate frame\n`)).toEqual([`@@portgate table tcp\n${TCP.trimEnd()}`]);
    expect(f.range).toEqual([32768, 60999]);
    expect(f.push('@@portgate end\n')).toEqual(['']);
  });
});

/** A fake procfs tree: the host reader only reads files and links, so a folder stands in for /proc. */
const fakeProc = (containerId: string, cgroupId: string) => {
  const root = mkdtempSync(join(tmpdir(), 'portgate-proc-'));
  const proc = (pid: number, nspid: number, netns: string, cmd: string[], sockets: number[], uid = 0) => {
    const d = join(root, String(pid));
    mkdirSync(join(d, 'net'), {recursive: true});
    mkdirSync(join(d, 'ns'));
    mkdirSync(join(d, 'fd'));
    symlinkSync(netns, join(d, 'ns', 'net'));
    symlinkSync(cmd[0]!, join(d, 'exe'));
    writeFileSync(join(d, 'cmdline'), `${cmd.join('\0')}\0`);
    writeFileSync(join(d, 'comm'), `${cmd[0]!.split('/').pop()}\n`);
    writeFileSync(join(d, 'status'), `Name:\tx\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nNSpid:\t${pid}\t${nspid}\n`);
    writeFileSync(join(d, 'cgroup'), `12:memory:/docker/${cgroupId}\n`);
    sockets.forEach((s, i) => symlinkSync(`socket:[${s}]`, join(d, 'fd', String(i + 3))));
    symlinkSync('/dev/null', join(d, 'fd', '0'));
    writeFileSync(join(d, 'net', 'tcp'), TCP);
    writeFileSync(join(d, 'net', 'udp'), '  sl  local_address\n');
  };
  proc(100, 1, 'net:[4026532999]', ['/sbin/docker-init', '--', '/app'], []);
  proc(101, 7, 'net:[4026532999]', ['/app', '--listen'], [4242], 10001);
  proc(200, 200, 'net:[4026531840]', ['/usr/sbin/sshd'], [4242]); // another namespace: same inode number must not leak in
  return {root, containerId};
};

describe('host reader', () => {
  const id = 'a'.repeat(64);
  test('reads the tables and the processes of the container netns only, with the pid the container sees', async () => {
    const {root} = fakeProc(id, id);
    const reader = await openHostReader(id, 100, root);
    expect(reader?.kind).toBe('host');
    expect(reader?.trusted).toBe(true);
    const snap = await reader!.snapshot();
    expect(snap.tcp).toBe(TCP);
    expect(snap.tcp6).toBeUndefined();
    const scan = await reader!.processes();
    expect(scan.incomplete).toBeUndefined();
    expect(scan.processes.map(p => p.pid).sort()).toEqual([1, 7]);
    expect(scan.processes.find(p => p.pid === 7)).toEqual({pid: 7, exe: '/app', uid: 10001, comm: 'app', argv: ['/app', '--listen'], fdLinks: ['socket:[4242]']});
  });

  test('refuses a pid that is not provably the container (Docker-in-Docker, remote engine)', async () => {
    const {root} = fakeProc(id, 'b'.repeat(64));
    expect(await openHostReader(id, 100, root)).toBeUndefined();
    expect(await openHostReader(id, 0, root)).toBeUndefined();
    expect(await openHostReader(id, 4_000_000, root)).toBeUndefined();
  });
});
