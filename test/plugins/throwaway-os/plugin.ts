// TEST ONLY: the throwaway guest OS and its image recipe, each registered in one line.
import { registerGuestOs } from '../../../harness/guests/registry.ts';
import { registerImage } from '../../../harness/images/registry.ts';
import { throwawayImage } from './image.ts';

registerGuestOs({ os: 'throwaway-os', adapter: async () => (await import('./adapter.ts')).throwawayAdapter });
registerImage({ names: 'throwaway-1', matches: (n) => n === 'throwaway-1', resolve: async () => throwawayImage(), build: async () => ({ dir: '/dev/null' }) });
