import { describe, expect, it } from "vitest";
import { isBlockedAddress } from "../../src/archive/fetch/address.ts";

describe("isBlockedAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["fec0::1", "private"],
    ["169.254.169.254", "link-local"],
    ["169.254.0.1", "link-local"],
    ["168.63.129.16", "cloud host service"],
    ["::ffff:168.63.129.16", "cloud host service"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456:789a::1", "unique-local"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["100.64.0.1", "shared (CGNAT)"],
    ["100.127.255.255", "shared (CGNAT)"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.10", "reserved"],
    ["198.18.0.1", "reserved"],
    ["2001:db8::1", "reserved"],
  ])("refuses %s as %s", (address, reason) => {
    expect(isBlockedAddress(address)).toBe(reason);
  });

  it.each([
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["[::ffff:7f00:1]", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:10.0.0.1", "private"],
    ["::127.0.0.1", "loopback"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::a00:1", "private"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:c0a8:101::1", "private"],
    ["2002:a9fe:a9fe::", "link-local"],
    // Teredo carries the client's address inverted: 80ff:fffe is 127.0.0.1.
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"],
  ])("judges %s, which carries an IPv4 address, by that address (%s)", (address, reason) => {
    expect(isBlockedAddress(address)).toBe(reason);
  });

  it.each(["8.8.8.8", "1.1.1.1", "93.184.215.14", "172.32.0.1", "100.128.0.1", "169.255.0.1", "192.169.0.1", "168.63.129.15", "168.63.129.17"])(
    "lets the public IPv4 address %s through",
    (address) => {
      expect(isBlockedAddress(address)).toBeUndefined();
    },
  );

  const publicV6 = ["2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"];
  it.each(publicV6)(
    "lets the public IPv6 address %s through",
    (address) => {
      expect(isBlockedAddress(address)).toBeUndefined();
    },
  );

  it.each([
    ["http://2130706433/", "loopback"],
    ["http://0x7f.1/", "loopback"],
    ["http://0177.0.0.1/", "loopback"],
    ["http://127.1/", "loopback"],
    ["http://0/", "unspecified"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://[0:0::1]/", "loopback"],
    ["http://0xa9fea9fe/", "link-local"],
  ])("refuses the host of %s after the WHATWG URL parser normalizes it", (url, reason) => {
    expect(isBlockedAddress(new URL(url).hostname)).toBe(reason);
  });

  it("refuses what is not an IP address at all, rather than guessing", () => {
    expect(isBlockedAddress("localhost")).toBe("not an IP address");
    expect(isBlockedAddress("")).toBe("not an IP address");
  });
});
