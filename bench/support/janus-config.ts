/**
 * Janus's .jcfg files (libconfig syntax) for the benchmark's Janus: only the VideoRoom plugin and
 * the plain HTTP transport, ICE on 127.0.0.1 only, no STUN, no session timeout. Pure, so it is
 * unit-tested (test/bench-support/janus-config.test.ts).
 */

export type JcfgValue = string | number | boolean | JcfgValue[] | { [key: string]: JcfgValue };
export type Jcfg = Record<string, Record<string, JcfgValue>>;

function value(v: JcfgValue, indent: string): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map((x) => value(x, indent)).join(', ')}]`;
  return group(v, indent);
}

function group(obj: Record<string, JcfgValue>, indent: string): string {
  const inner = indent + '\t';
  const lines = Object.entries(obj).map(([k, v]) => {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(k)) throw new RangeError(`invalid jcfg key "${k}"`);
    return `${inner}${k} = ${value(v, inner)}`;
  });
  return lines.length ? `{\n${lines.join('\n')}\n${indent}}` : '{\n}';
}

/** Serializes top-level sections (`general: { … }`). */
export function toJcfg(config: Jcfg): string {
  return Object.entries(config)
    .map(([section, body]) => `${section}: ${group(body, '')}`)
    .join('\n') + '\n';
}

export interface JanusFolders {
  /** Where the .jcfg files go. */
  configs: string;
  /** Folders holding only the plugin / transport the benchmark loads (symlinks to Debian's). */
  plugins: string;
  transports: string;
  /** Empty folders, so no event handler or logger is loaded. */
  events: string;
  loggers: string;
}

/** The three files Janus reads: file name -> contents. */
export function janusConfigFiles(folders: JanusFolders, httpPort: number): Record<string, string> {
  return {
    'janus.jcfg': toJcfg({
      general: {
        configs_folder: folders.configs,
        plugins_folder: folders.plugins,
        transports_folder: folders.transports,
        events_folder: folders.events,
        loggers_folder: folders.loggers,
        // Warnings and errors only: per-packet logging would be measured as forwarding cost.
        debug_level: 3,
        // The benchmark sends no keep-alives; a run's sessions live until it destroys them.
        session_timeout: 0,
        server_name: 'vconf-bench',
      },
      certificates: {},
      media: { ipv6: false, no_media_timer: 0 },
      nat: { nice_debug: false, ice_enforce_list: '127.0.0.1', ice_lite: false, full_trickle: false },
      plugins: {},
      transports: {},
      loggers: {},
      events: { broadcast: false },
    }),
    'janus.plugin.videoroom.jcfg': toJcfg({ general: { string_ids: false } }),
    'janus.transport.http.jcfg': toJcfg({
      general: { json: 'plain', base_path: '/janus', http: true, port: httpPort, ip: '127.0.0.1', https: false, events: false },
      admin: { admin_http: false, admin_https: false },
      cors: {},
    }),
  };
}
