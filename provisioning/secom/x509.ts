/** @peculiar/x509's certificate class, loaded after the Reflect metadata API its dependency injection needs. */
import 'reflect-metadata';
export { X509Certificate } from '@peculiar/x509';
