# syntax=docker/dockerfile:1
#
# One image with the four bankseg binaries: ingest-svc, analysis-svc, report-svc and the bankseg CLI
# (which the CronJob runs). The Kubernetes manifests pick the binary with `command:`.
#
#   docker build -t bankseg:dev .
#   docker build --build-arg RUST_VERSION=1.95 -t ghcr.io/example/bankseg:0.1.0 .
#
# Build stage: the whole workspace, compiled once (the DataFusion/Arrow dependency tree is most of
# the build and is shared by all four binaries). Run stage: distroless (glibc, libgcc, CA
# certificates for S3 over TLS; no shell, no package manager), as the non-root user 65532.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked -p ingest-svc -p analysis-svc -p report-svc -p bankseg \
    && mkdir -p /out \
    && cp target/release/ingest-svc target/release/analysis-svc target/release/report-svc \
          target/release/bankseg /out/

FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
LABEL org.opencontainers.image.title="bankseg" \
      org.opencontainers.image.description="bank customer churn segmentation: ingest-svc, analysis-svc, report-svc and the bankseg CLI" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/ingest-svc /out/analysis-svc /out/report-svc /out/bankseg /usr/local/bin/
USER 65532:65532
WORKDIR /tmp
# ingest-svc, analysis-svc, report-svc gRPC + Arrow Flight; report-svc dashboard.
EXPOSE 50051 50052 50053 8080
ENTRYPOINT ["/usr/local/bin/bankseg"]
CMD ["--help"]
