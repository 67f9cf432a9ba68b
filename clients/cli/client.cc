#include "clients/cli/client.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/net.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace mittari::cli {
namespace {

std::string FlagOrEnv(const Args& args, const std::string& flag,
                      const char* env, const std::string& fallback) {
  if (auto v = args.Get(flag)) return *v;
  const char* value = std::getenv(env);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

absl::StatusOr<Client> Client::Connect(const Args& args) {
  Client client;
  std::string addr = FlagOrEnv(args, "addr", "MITTARI_ADDR", "127.0.0.1:50051");
  client.key_ = FlagOrEnv(args, "key", "MITTARI_KEY", "");
  std::string ca_cert = FlagOrEnv(args, "ca-cert", "MITTARI_CA_CERT", "");
  if (auto t = args.Get("timeout")) {
    if (!absl::SimpleAtoi(*t, &client.timeout_seconds_) ||
        client.timeout_seconds_ <= 0) {
      return absl::InvalidArgumentError("--timeout takes whole seconds > 0");
    }
    client.timeout_given_ = true;
  }
  std::string client_cert =
      FlagOrEnv(args, "client-cert", "MITTARI_CLIENT_CERT", "");
  std::string client_key =
      FlagOrEnv(args, "client-key", "MITTARI_CLIENT_KEY", "");
  if (client_cert.empty() != client_key.empty()) {
    return absl::InvalidArgumentError(
        "--client-cert and --client-key go together");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!ca_cert.empty() || !client_cert.empty() || args.Has("tls")) {
    grpc::SslCredentialsOptions ssl;
    auto read = [](const std::string& path) -> absl::StatusOr<std::string> {
      std::ifstream in(path);
      if (!in)
        return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
      std::stringstream pem;
      pem << in.rdbuf();
      return pem.str();
    };
    if (!ca_cert.empty()) {
      absl::StatusOr<std::string> pem = read(ca_cert);
      if (!pem.ok()) return pem.status();
      ssl.pem_root_certs = *std::move(pem);
    }
    if (!client_cert.empty()) {
      // Mutual TLS: the server asks for a certificate its client CA signed.
      absl::StatusOr<std::string> chain = read(client_cert);
      if (!chain.ok()) return chain.status();
      absl::StatusOr<std::string> key = read(client_key);
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *std::move(chain);
      ssl.pem_private_key = *std::move(key);
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    // A key in clear crosses only the machine's own loopback.
    if (!client.key_.empty() && !IsLoopbackAddress(addr) &&
        !args.Has("insecure")) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to send the API key in clear to ", addr,
          ": use --tls (or --ca-cert), or --insecure to send it anyway"));
    }
    credentials = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments channel_args;
  if (auto name = args.Get("tls-server-name")) {
    channel_args.SetSslTargetNameOverride(*name);
  }
  client.channel_ = grpc::CreateCustomChannel(addr, credentials, channel_args);
  return client;
}

std::unique_ptr<grpc::ClientContext> Client::Context() const {
  auto context = StreamContext();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(timeout_seconds_));
  return context;
}

std::unique_ptr<grpc::ClientContext> Client::JobContext() const {
  return timeout_given_ ? Context() : StreamContext();
}

std::unique_ptr<grpc::ClientContext> Client::StreamContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!key_.empty()) context->AddMetadata("authorization", "Bearer " + key_);
  return context;
}

}  // namespace mittari::cli
