// CSI/OSC escape sequences, then any C0/C1 control except tab and newline.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text from the image under test (logs, argv, process names) can carry
 * terminal escapes that rewrite a CI log, or bytes XML 1.0 forbids. Every
 * human-facing writer passes such text through here; JSON keeps it verbatim.
 */
export const sanitize = (text: string): string => text.replace(/\r\n?/g, '\n').replace(ANSI, '').replace(CONTROL, '\ufffd');

/**
 * The GitHub runner takes a log line whose first non-blank characters are
 * `::` for a workflow command (`::error file=…::`, `::add-mask::`,
 * `::stop-commands::`; ActionCommand.TryParseV2 trims leading space first),
 * and `##[` anywhere in a line for the legacy form. Anything portgate prints
 * where a runner reads it goes through here as a whole, so that no text from
 * the image can become a command: a zero-width space breaks such starts
 * apart, so the log still reads the same.
 */
// .NET's TrimStart also counts NEL (U+0085) as white space; JavaScript's \s does not.
export const neutralizeCommands = (output: string): string => output.replace(/^([\s\u0085]*):(?=:)/gm, '$1:\u200b').replaceAll('##[', '#\u200b#[');

/** One line of image-controlled text: controls removed, newlines folded so it cannot start a line of its own. */
export const safeLine = (text: string): string => neutralizeCommands(sanitize(text).replace(/\s*\n\s*/g, ' ⏎ '));

/** A block (a log tail), each line indented. */
export const safeBlock = (text: string, indent = '  '): string =>
  neutralizeCommands(
    sanitize(text.trimEnd())
      .split('\n')
      .map(l => `${indent}${l}`)
      .join('\n')
  );
