// The project's one C module: libevent and OpenSSL (SPEC §23's TLS) together. One module, so each libc
// declaration has one owner: two modules that both include <sys/socket.h> fail a clean build, the first
// one built owning SOCK_STREAM where the other's importers cannot see it.
//
// libc first: libevent's config header defines _GNU_SOURCE, and a module that also
// imports Foundation then fails a clean build on fd_set (see STYLE.md).
#include <sys/types.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <malloc.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

// OpenSSL's macros over SSL_CTX_ctrl and SSL_ctrl, which Swift cannot call: one function each.
static inline int copenssl_ctx_set_protocols(SSL_CTX *context) {
    return SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        && SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION);
}

// Renegotiation (RFC 5746) refused: it lets a client make the server redo the costly part of a
// handshake at will. The server's cipher order wins, as nginx's `ssl_prefer_server_ciphers`.
static inline void copenssl_ctx_set_options(SSL_CTX *context) {
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
}

// Adds a certificate after the server's own; the context takes its own reference.
static inline long copenssl_ctx_add_chain_certificate(SSL_CTX *context, X509 *certificate) {
    return SSL_CTX_add1_chain_cert(context, certificate);
}

static inline long copenssl_ctx_set_modes(SSL_CTX *context) {
    return SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
                                         | SSL_MODE_RELEASE_BUFFERS);
}

static inline int copenssl_ctx_set_max_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_max_proto_version(context, version);
}

static inline long copenssl_set_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

// ALPN (RFC 7301): `http/1.1` when the client offers it; a client offering only other protocols
// goes on without ALPN, as nginx does.
static inline int copenssl_select_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                         const unsigned char *in, unsigned int inlen, void *arg) {
    static const unsigned char ours[] = "\x08http/1.1";
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, ours, sizeof(ours) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static inline void copenssl_ctx_use_alpn_http11(SSL_CTX *context) {
    SSL_CTX_set_alpn_select_cb(context, copenssl_select_http11, NULL);
}
