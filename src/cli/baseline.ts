import {readInput} from '../gate/read-inputs.js';
import {readReport, type ReportDocs, type ReportKind} from '../report/read.js';

const HINT: Record<ReportKind, string> = {
  single: "give --baseline the JSON report of an earlier run of this image, e.g. the main branch's `portgate check --image … --report json=FILE`.",
  fleet: "give --baseline the JSON report of an earlier run of this fleet, e.g. the main branch's `portgate check --fleet --report json=FILE` or `portgate merge … --report json=FILE`."
};

/** The earlier report `--baseline` names, of the kind this run makes; anything else is an input error naming the file. */
export const readBaseline = async <K extends ReportKind>(path: string, kind: K): Promise<ReportDocs[K]> => readReport(await readInput(path, 'the baseline report'), path, kind, HINT[kind]);
