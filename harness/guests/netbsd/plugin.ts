// NetBSD as a guest OS (images from vm-images/netbsd).
import { registerGuestOs } from '../registry.ts';

registerGuestOs({ os: 'netbsd', adapter: async () => (await import('./adapter.ts')).netbsdAdapter });
