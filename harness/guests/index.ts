// The guest OSes this harness knows: one line per folder, each registering itself.
import './linux/plugin.ts';
import './openbsd/plugin.ts';
import './netbsd/plugin.ts';
