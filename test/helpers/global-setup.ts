import Docker from 'dockerode';

// Integration tests need the real engine that scripts/setup.sh starts. They fail
// loudly without it rather than skip: a skipped suite would be a silent pass.
export default async function setup(): Promise<void> {
  try {
    await new Docker().ping();
  } catch (e) {
    throw new Error(`integration tests need a running Docker engine (run scripts/setup.sh as root): ${(e as Error).message}`);
  }
}
