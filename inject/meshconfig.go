package inject

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Defaults of an osm-edge 1.3.9 install that do not live in the MeshConfig:
// the chart's environment of osm-injector (spec §1.3, §4.4).
const (
	DefaultInitImage        = "flomesh/osm-edge-sidecar-init:1.3.9"
	DefaultHealthcheckImage = "flomesh/osm-edge-healthcheck:1.3.9"
	DefaultProxyServerPort  = 15128
)

// MeshConfig is the part of osm-edge's MeshConfig that injection reads
// (spec §4.9), decoded from the stored object.
type MeshConfig struct {
	Spec struct {
		Sidecar struct {
			EnablePrivilegedInitContainer bool   `json:"enablePrivilegedInitContainer"`
			LogLevel                      string `json:"logLevel"`
			SidecarClass                  string `json:"sidecarClass"`
			SidecarImage                  string `json:"sidecarImage"`
			InitContainerImage            string `json:"initContainerImage"`
			SidecarDrivers                []struct {
				SidecarName        string `json:"sidecarName"`
				SidecarImage       string `json:"sidecarImage"`
				InitContainerImage string `json:"initContainerImage"`
				ProxyServerPort    int32  `json:"proxyServerPort"`
			} `json:"sidecarDrivers"`
			Resources      corev1.ResourceRequirements `json:"resources"`
			LocalProxyMode string                      `json:"localProxyMode"`
			LocalDNSProxy  struct {
				Enable    bool   `json:"enable"`
				Primary   string `json:"primaryUpstreamDNSServerIPAddr"`
				Secondary string `json:"secondaryUpstreamDNSServerIPAddr"`
			} `json:"localDNSProxy"`
			TLSMinProtocolVersion string   `json:"tlsMinProtocolVersion"`
			TLSMaxProtocolVersion string   `json:"tlsMaxProtocolVersion"`
			CipherSuites          []string `json:"cipherSuites"`
			ECDHCurves            []string `json:"ecdhCurves"`
		} `json:"sidecar"`
		Traffic struct {
			InterceptionMode              string   `json:"interceptionMode"`
			OutboundIPRangeExclusionList  []string `json:"outboundIPRangeExclusionList"`
			OutboundIPRangeInclusionList  []string `json:"outboundIPRangeInclusionList"`
			OutboundPortExclusionList     []int    `json:"outboundPortExclusionList"`
			InboundPortExclusionList      []int    `json:"inboundPortExclusionList"`
			NetworkInterfaceExclusionList []string `json:"networkInterfaceExclusionList"`
		} `json:"traffic"`
		Observability struct {
			Tracing struct {
				Enable          bool   `json:"enable"`
				Address         string `json:"address"`
				Port            int    `json:"port"`
				Endpoint        string `json:"endpoint"`
				SampledFraction string `json:"sampledFraction"`
			} `json:"tracing"`
			RemoteLogging struct {
				Enable          bool   `json:"enable"`
				Level           int    `json:"level"`
				Address         string `json:"address"`
				Port            int    `json:"port"`
				Endpoint        string `json:"endpoint"`
				Authorization   string `json:"authorization"`
				SampledFraction string `json:"sampledFraction"`
			} `json:"remoteLogging"`
		} `json:"observability"`
		RepoServer struct {
			IPAddr   string `json:"ipaddr"`
			Codebase string `json:"codebase"`
		} `json:"repoServer"`
	} `json:"spec"`
}

// ParseMeshConfig decodes a MeshConfig object (as stored, or from a file).
func ParseMeshConfig(obj map[string]any) (*MeshConfig, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	mc := &MeshConfig{}
	if err := json.Unmarshal(b, mc); err != nil {
		return nil, fmt.Errorf("MeshConfig: %w", err)
	}
	return mc, nil
}

func (mc *MeshConfig) sidecarClass() string {
	if c := mc.Spec.Sidecar.SidecarClass; c != "" {
		return c
	}
	return "pipy"
}

// driver returns the sidecarDrivers entry of the sidecar class, if any.
func (mc *MeshConfig) driver() (image, initImage string, port int32, ok bool) {
	for _, d := range mc.Spec.Sidecar.SidecarDrivers {
		if strings.EqualFold(d.SidecarName, mc.sidecarClass()) {
			return d.SidecarImage, d.InitContainerImage, d.ProxyServerPort, true
		}
	}
	return "", "", 0, false
}

// SidecarImage resolves the sidecar image as osm-edge does:
// sidecar.sidecarImage, else the sidecar class's driver entry. The field it
// came from is returned for --explain.
func (mc *MeshConfig) SidecarImage() (image, from string) {
	if i := mc.Spec.Sidecar.SidecarImage; i != "" {
		return i, "MeshConfig spec.sidecar.sidecarImage"
	}
	if i, _, _, ok := mc.driver(); ok && i != "" {
		return i, fmt.Sprintf("MeshConfig spec.sidecar.sidecarDrivers[%s].sidecarImage", mc.sidecarClass())
	}
	return "", ""
}

// InitImage resolves osm-init's image: sidecar.initContainerImage, the
// driver's, else the chart's default.
func (mc *MeshConfig) InitImage() (image, from string) {
	if i := mc.Spec.Sidecar.InitContainerImage; i != "" {
		return i, "MeshConfig spec.sidecar.initContainerImage"
	}
	if _, i, _, ok := mc.driver(); ok && i != "" {
		return i, fmt.Sprintf("MeshConfig spec.sidecar.sidecarDrivers[%s].initContainerImage", mc.sidecarClass())
	}
	return DefaultInitImage, "osm-injector's default, OSM_DEFAULT_INIT_CONTAINER_IMAGE"
}

// ProxyServerPort is the driver's proxyServerPort, else 15128.
func (mc *MeshConfig) ProxyServerPort() int32 {
	if _, _, p, ok := mc.driver(); ok && p > 0 {
		return p
	}
	return DefaultProxyServerPort
}

// LogLevel is sidecar.logLevel, "error" when empty.
func (mc *MeshConfig) LogLevel() string {
	if l := mc.Spec.Sidecar.LogLevel; l != "" {
		return l
	}
	return "error"
}

// RepoHost is the Pipy repo the sidecar loads its configuration from: the
// repo server address, where loopback means osm-controller's Service.
func (mc *MeshConfig) RepoHost(osmNamespace string) string {
	ip := mc.Spec.RepoServer.IPAddr
	if ip == "" || strings.HasPrefix(ip, "127.") || ip == "localhost" {
		return "osm-controller." + osmNamespace
	}
	return ip
}

// Codebase is repoServer.codebase without leading or trailing slashes.
func (mc *MeshConfig) Codebase() string {
	return strings.Trim(mc.Spec.RepoServer.Codebase, "/")
}
