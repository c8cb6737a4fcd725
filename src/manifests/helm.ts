import {InputError} from '../errors.js';
import type {ManifestSource} from './k8s-load.js';

/**
 * A Helm action (`{{ .Values.image }}`, `{{- if .Values.x }}`,
 * `{{ include "x" . }}`): one that uses Helm's own objects or functions. Go templates for other tools (Prometheus alerts in a
 * ConfigMap: `{{ $labels.instance }}`) stay legal in rendered manifests, so
 * only Helm's own objects and functions count.
 */
const HELM_ACTION = /\{\{[^}\n]*?(?:\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|\b(?:include|tpl|toYaml|required|define|template)\b)/;

/**
 * An unrendered chart template fails as "invalid YAML" or, worse, parses with
 * `{{ … }}` as text; either way the fix is to render it first.
 */
export const checkRendered = (src: ManifestSource): void => {
  const m = HELM_ACTION.exec(src.text);
  if (!m) return;
  const before = src.text.slice(0, m.index).split('\n');
  const action = src.text.slice(m.index).split('\n')[0]!.replace(/\}\}.*$/, '}}').slice(0, 80);
  throw new InputError(
    `this is an unrendered Helm template (\`${action}\`), not a manifest: render the chart first and pass its output, e.g. \`helm template RELEASE ./chart | portgate check … --manifests -\``,
    src.file,
    before.length,
    before.at(-1)!.length + 1
  );
};
