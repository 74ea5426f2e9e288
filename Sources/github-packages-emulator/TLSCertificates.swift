import Crypto
import Foundation
import SwiftASN1
import X509

/// The CA and server certificate made at start when no `--tls-cert` is given (SPEC §23): a CA that
/// signs only this run's server certificate, for `localhost`, `127.0.0.1`, `::1` and every
/// `--tls-name`. P-256 keys and ECDSA-SHA256 signatures, which every TLS client verifies.
struct TLSCertificates {
    let caPEM: String
    let serverPEM: String
    let serverKeyPEM: String

    static let defaultNames = ["localhost", "127.0.0.1", "::1"]

    /// `names`: DNS names and IP addresses (IPv4 or IPv6 text) the server certificate is valid for.
    static func make(names: [String], now: Date = Date()) throws -> TLSCertificates {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("github-packages-emulator")
            CommonName("github-packages-emulator local CA")
        }
        let caKeyID = SubjectKeyIdentifier(hash: Certificate.PublicKey(caKey.publicKey))
        // An hour back absorbs a client's clock a little behind ours.
        let start = now.addingTimeInterval(-3600)
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(caKey.publicKey),
            notValidBefore: start, notValidAfter: now.addingTimeInterval(397 * 86400),
            issuer: caName, subject: caName,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                caKeyID
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        let serverKey = P256.Signing.PrivateKey()
        let alternativeNames = try names.map(generalName)
        let server = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(serverKey.publicKey),
            // 397 days: the longest a server certificate may live for browsers and Apple's clients.
            notValidBefore: start, notValidAfter: now.addingTimeInterval(397 * 86400),
            issuer: caName,
            subject: try DistinguishedName { CommonName(names.first ?? "localhost") },
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                // RFC 6125: clients match the name against these, never the common name.
                SubjectAlternativeNames(alternativeNames)
                AuthorityKeyIdentifier(keyIdentifier: caKeyID.keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))
        return TLSCertificates(caPEM: try ca.serializeAsPEM().pemString,
                               serverPEM: try server.serializeAsPEM().pemString,
                               serverKeyPEM: serverKey.pemRepresentation)
    }

    /// An IP address's bytes, else a DNS name.
    static func generalName(_ name: String) throws -> GeneralName {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v4) { Array($0) })))
        }
        if inet_pton(AF_INET6, name, &v6) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v6) { Array($0) })))
        }
        return .dnsName(name)
    }

    /// A name a certificate can carry: an IP address, or a DNS name of letters, digits, `-` and `.`
    /// (a leading `*.` for a wildcard), at most 253 bytes (RFC 1035 §2.3.4).
    static func isValidName(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1 { return true }
        let host = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
        guard !host.isEmpty, name.utf8.count <= 253, !host.hasPrefix("."), !host.hasSuffix("."), !host.contains("..")
        else { return false }
        return host.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }
}
