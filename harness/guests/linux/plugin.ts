// Linux as a guest OS (the reference guest of vm-images/linux-ref).
import { registerGuestOs } from '../registry.ts';

registerGuestOs({ os: 'linux', adapter: async () => (await import('./adapter.ts')).linuxAdapter });
