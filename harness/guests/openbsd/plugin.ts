// OpenBSD as a guest OS (images from vm-images/openbsd).
import { registerGuestOs } from '../registry.ts';

registerGuestOs({ os: 'openbsd', adapter: async () => (await import('./adapter.ts')).openbsdAdapter });
