/**
 * Image references checked as the Docker CLI checks them, before they reach
 * the engine: its HTTP API puts the reference in the URL path, so a space,
 * `..` or `//` there comes back as a 301 redirect that reads like an
 * unreachable engine. Ported from distribution/reference (regexp.go;
 * ParseAnyReference, ParseNormalizedNamed and Parse in normalize.go and
 * reference.go), error texts included, so portgate refuses exactly what Docker
 * refuses; test/unit/util/image-reference.test.ts runs that repository's own
 * cases.
 */

// regexp.go, piece by piece. Go's RE2 and JavaScript agree on these (\w is ASCII in both).
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tag = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const domainAndPort = `(?:${domainName}|${ipv6address})${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const REFERENCE = new RegExp(`^(${namePat})(?::(${tag}))?(?:@(${digestPat}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const ANCHORED_DIGEST = new RegExp(`^${digestPat}$`);
/** A full image ID without its `sha256:`; the CLI takes it as a digest. */
const IDENTIFIER = /^[a-f0-9]{64}$/;

/** reference.go RepositoryNameTotalLengthMax. */
const NAME_MAX = 255;

/**
 * The algorithms go-digest defines, with their hex lengths. Its Parse also
 * requires lowercase hex (each algorithm's anchoredEncodedRegexp).
 */
const DIGEST_HEX: Record<string, number> = {sha256: 64, sha384: 96, sha512: 128};

/** go-digest Digest.Validate: the error text, or undefined when the digest is valid. */
const digestError = (digest: string): string | undefined => {
  const i = digest.indexOf(':');
  if (i <= 0 || i + 1 === digest.length) return 'invalid checksum digest format';
  const [algorithm, encoded] = [digest.slice(0, i), digest.slice(i + 1)];
  const length = DIGEST_HEX[algorithm];
  if (length === undefined) return ANCHORED_DIGEST.test(digest) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  if (encoded.length !== length) return 'invalid checksum digest length';
  return /^[a-f0-9]+$/.test(encoded) ? undefined : 'invalid checksum digest format';
};

/** normalize.go splitDockerDomain: where the registry ends; Docker Hub names get `library/`. */
const splitDockerDomain = (name: string): {domain: string; remote: string} => {
  const slash = name.indexOf('/');
  if (slash < 0) return {domain: 'docker.io', remote: `library/${name}`};
  const [first, rest] = [name.slice(0, slash), name.slice(slash + 1)];
  let domain = 'docker.io';
  let remote = name;
  // The legacy Docker Hub name first: it has a `.` but is not a registry of its own.
  if (first === 'index.docker.io') remote = rest;
  else if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) [domain, remote] = [first, rest];
  if (domain === 'docker.io' && !remote.includes('/')) remote = `library/${remote}`;
  return {domain, remote};
};

/** reference.go Parse, for a name that already carries its domain. */
const parseError = (s: string): string | undefined => {
  const m = REFERENCE.exec(s);
  if (!m) return REFERENCE.test(s.toLowerCase()) ? 'repository name must be lowercase' : 'invalid reference format';
  const path = ANCHORED_NAME.exec(m[1]!)?.[2] ?? m[1]!;
  if (path.length > NAME_MAX) return `repository name must not be more than ${NAME_MAX} characters`;
  return m[3] === undefined ? undefined : digestError(m[3]);
};

/**
 * ParseAnyReference, as `docker run` and `docker pull` apply it: the error
 * Docker prints, or undefined for a valid reference (a name with optional
 * registry, tag and digest; a full image ID; `sha256:<id>`). Short image IDs
 * are valid names, so they pass too.
 */
export const imageReferenceError = (ref: string): string | undefined => {
  if (ref === '') return 'repository name must have at least one component';
  if (IDENTIFIER.test(ref) || digestError(ref) === undefined) return undefined;
  const {domain, remote} = splitDockerDomain(ref);
  const colon = remote.indexOf(':');
  const repository = colon < 0 ? remote : remote.slice(0, colon);
  if (repository.toLowerCase() !== repository) return `invalid reference format: repository name (${repository}) must be lowercase`;
  return parseError(`${domain}/${remote}`);
};

/** The usual slips behind "invalid reference format", named so the fix is obvious. */
const slips: [RegExp, string][] = [
  [/\s/, 'it contains whitespace'],
  [/^[a-z][a-z0-9+.-]*:\/\//i, 'it has a URL scheme: drop the `https://`'],
  [/^\/|\/$/, 'it starts or ends with `/`'],
  [/\/\//, 'it has an empty path part, `//`'],
  [/(^|\/)\.\.?(\/|:|@|$)/, '`.` and `..` are not path parts']
];

const FORM =
  'write [REGISTRY[:PORT]/]PATH[:TAG][@ALGORITHM:HEX]: PATH is lowercase letters, digits and single `.`, `_`, `__` or `-` between them, parts separated by one `/`; TAG is up to 128 letters, digits, `_`, `.` or `-` (e.g. registry.example.com/team/app:1.2)';

/**
 * Why `ref` is not an image reference, as a sentence for an InputError, or
 * undefined when it is one. `what` names where it came from (`--image`).
 */
export const describeBadImageReference = (ref: string, what: string): string | undefined => {
  const error = imageReferenceError(ref);
  if (error === undefined) return undefined;
  const slip = slips.find(([re]) => re.test(ref))?.[1];
  return `${what} ${JSON.stringify(ref)} is not a valid image reference: ${error}${slip ? ` (${slip})` : ''}. ${error.includes('digest') ? 'A digest is sha256: and 64 lowercase hex digits.' : `Docker would refuse it too; ${FORM}.`}`;
};
