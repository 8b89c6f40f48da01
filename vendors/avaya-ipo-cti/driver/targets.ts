/**
 * Who a bridge user is on the wire of an IP Office link. The server has no per-device subscription: the
 * application user receives every device's events, a device user its own (L520-534), so what the bridge
 * watches is only recorded (`vendors/driver-kit/watches.ts`).
 *
 * Identities: the wire names devices by extension (L701-710) and the IP Office by the hex of its IP
 * (`switchingSubDomainInformationElements`, L692-699). On an application link a bridge user IS an
 * extension (`1001`), known from the login's `devices` list. On a device link a bridge user is the
 * session's user; its extension and IP Office come from its login response, and the mapper's targets
 * (extensions) are translated back to that user.
 */
import type { IpoDevice } from '../wire/session.js';

/** A device on the wire: its extension and the IP of its IP Office. */
export interface WireDevice {
  extension: string;
  /** The IP Office's IP (`switchingSubdomain` / `userSwitchDevice`), if the login named one. */
  switchIp?: string;
  /** For listUsers: the IP Office user name and full name. */
  userName?: string;
  fullName?: string;
}

/**
 * Bridge users ↔ wire devices.
 *
 * @example
 * const devices = new Devices();
 * devices.fromApplication(response.devices);
 * devices.deviceOf('1001'); // { extension: '1001', switchIp: '127.0.0.1', ... }
 * devices.bind('jdoe', { extension: '1001', switchIp: '127.0.0.1' }); // device-user login
 * devices.userOf('1001'); // 'jdoe'
 */
export class Devices {
  /** By bridge user id. */
  private readonly byUser = new Map<string, WireDevice>();
  /** Bridge user id by extension (device users only; application users are their extensions). */
  private readonly userByExt = new Map<string, string>();
  private stations: WireDevice[] = [];

  /** The application user's device list: every STATION becomes a user named by its extension. */
  fromApplication(devices: readonly IpoDevice[]): void {
    this.byUser.clear();
    this.stations = [];
    for (const d of devices) {
      if (!d.userExtension) continue;
      const wire: WireDevice = {
        extension: d.userExtension,
        ...(d.switchingSubdomain ? { switchIp: d.switchingSubdomain } : {}),
        ...(d.userName ? { userName: d.userName } : {}),
        ...(d.fullName ? { fullName: d.fullName } : {}),
      };
      this.byUser.set(d.userExtension, wire);
      if (d.deviceCategory !== 'GROUP') this.stations.push(wire);
    }
  }

  /** A device user logged in: `user` is that extension on the wire. */
  bind(user: string, device: WireDevice): void {
    const old = this.byUser.get(user);
    if (old && this.userByExt.get(old.extension) === user) this.userByExt.delete(old.extension);
    this.byUser.set(user, device);
    this.userByExt.set(device.extension, user);
  }

  /** A device user logged out. */
  unbind(user: string): void {
    const old = this.byUser.get(user);
    this.byUser.delete(user);
    if (old && this.userByExt.get(old.extension) === user) this.userByExt.delete(old.extension);
  }

  /** The wire device of a bridge user, if known. */
  deviceOf(user: string): WireDevice | undefined {
    return this.byUser.get(user);
  }

  /** The bridge user of an extension: the device user bound to it, else the extension itself. */
  userOf(extension: string): string {
    return this.userByExt.get(extension) ?? extension;
  }

  /** The stations of the application login (listUsers). */
  directory(): readonly WireDevice[] {
    return this.stations;
  }
}
