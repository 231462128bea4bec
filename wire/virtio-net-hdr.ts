// struct virtio_net_hdr (include/uapi/linux/virtio_net.h): the header a
// PACKET_VNET_HDR packet socket puts before each frame, its fields little-endian.
export const VNET_HDR_LEN = 10;
// flags
export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
export const VIRTIO_NET_HDR_F_DATA_VALID = 2;
// gso_type
export const VIRTIO_NET_HDR_GSO_TCPV4 = 1;
export const VIRTIO_NET_HDR_GSO_TCPV6 = 4;
export const VIRTIO_NET_HDR_GSO_UDP_L4 = 5;
