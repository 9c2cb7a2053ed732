# meshguard image: a static binary on distroless, running as non-root.
#   docker build --build-arg VERSION=$(git describe --tags --always) -t meshguard .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/meshguard ./cmd/meshguard

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/meshguard /meshguard
USER 65532:65532
ENTRYPOINT ["/meshguard"]
