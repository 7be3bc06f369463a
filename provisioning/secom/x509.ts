/** @peculiar/x509's certificate class, loaded after the Reflect metadata it needs (_reflect.ts). */
import './_reflect.js';
export { X509Certificate } from '@peculiar/x509';
