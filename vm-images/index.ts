// The images pvconform can build: one line per folder, each registering its recipe.
import './linux-ref/plugin.ts';
import './openbsd/plugin.ts';
import './netbsd/plugin.ts';
import './xen-host/plugin.ts';
