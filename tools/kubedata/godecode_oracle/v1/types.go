// Stand-ins for a few Kubernetes types: their Go names, field types and JSON tags as k8s.io/api
// declares them (only the fields the fixtures use), so that Go's decoder names them as kube does.
package v1

import (
	gojson "encoding/json"
	"time"
)

type TypeMeta struct {
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
}
type Time struct{ time.Time }

func (t *Time) UnmarshalJSON(b []byte) error {
	if len(b) == 4 && string(b) == "null" {
		return nil
	}
	var str string
	if err := gojson.Unmarshal(b, &str); err != nil {
		return err
	}
	pt, err := time.Parse(time.RFC3339, str)
	if err != nil {
		return err
	}
	t.Time = pt
	return nil
}

type MicroTime struct{ time.Time }

func (t *MicroTime) UnmarshalJSON(b []byte) error {
	if len(b) == 4 && string(b) == "null" {
		return nil
	}
	var str string
	if err := gojson.Unmarshal(b, &str); err != nil {
		return err
	}
	pt, err := time.Parse("2006-01-02T15:04:05.000000Z07:00", str)
	if err != nil {
		return err
	}
	t.Time = pt
	return nil
}

type IntOrString struct {
	Type   int
	IntVal int32
	StrVal string
}

func (intstr *IntOrString) UnmarshalJSON(value []byte) error {
	if value[0] == '"' {
		intstr.Type = 1
		return gojson.Unmarshal(value, &intstr.StrVal)
	}
	intstr.Type = 0
	return gojson.Unmarshal(value, &intstr.IntVal)
}

type ObjectMeta struct {
	Name              string            `json:"name,omitempty"`
	GenerateName      string            `json:"generateName,omitempty"`
	Namespace         string            `json:"namespace,omitempty"`
	Generation        int64             `json:"generation,omitempty"`
	CreationTimestamp Time              `json:"creationTimestamp,omitempty"`
	DeletionTimestamp *Time             `json:"deletionTimestamp,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
	Finalizers        []string          `json:"finalizers,omitempty"`
}
type LabelSelector struct {
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}
type Deployment struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       DeploymentSpec `json:"spec,omitempty"`
}
type DeploymentSpec struct {
	Replicas        *int32             `json:"replicas,omitempty"`
	Selector        *LabelSelector     `json:"selector"`
	Template        PodTemplateSpec    `json:"template"`
	Strategy        DeploymentStrategy `json:"strategy,omitempty"`
	MinReadySeconds int32              `json:"minReadySeconds,omitempty"`
	Paused          bool               `json:"paused,omitempty"`
}
type DeploymentStrategy struct {
	RollingUpdate *RollingUpdateDeployment `json:"rollingUpdate,omitempty"`
}
type RollingUpdateDeployment struct {
	MaxSurge *IntOrString `json:"maxSurge,omitempty"`
}
type PodTemplateSpec struct {
	ObjectMeta `json:"metadata,omitempty"`
	Spec       PodSpec `json:"spec,omitempty"`
}
type RestartPolicy string
type PullPolicy string
type Protocol string
type ResourceName string
type ResourceList map[ResourceName]string
type PodSpec struct {
	Volumes               []Volume          `json:"volumes,omitempty"`
	Containers            []Container       `json:"containers"`
	RestartPolicy         RestartPolicy     `json:"restartPolicy,omitempty"`
	ActiveDeadlineSeconds *int64            `json:"activeDeadlineSeconds,omitempty"`
	NodeSelector          map[string]string `json:"nodeSelector,omitempty"`
	ServiceAccountName    string            `json:"serviceAccountName,omitempty"`
	HostNetwork           bool              `json:"hostNetwork,omitempty"`
	Tolerations           []Toleration      `json:"tolerations,omitempty"`
}
type Toleration struct {
	Key               string `json:"key,omitempty"`
	TolerationSeconds *int64 `json:"tolerationSeconds,omitempty"`
}
type Volume struct {
	Name         string `json:"name"`
	VolumeSource `json:",inline"`
}
type VolumeSource struct {
	HostPath *HostPathVolumeSource `json:"hostPath,omitempty"`
}
type HostPathVolumeSource struct {
	Path string `json:"path"`
}
type Container struct {
	Name            string               `json:"name"`
	Image           string               `json:"image,omitempty"`
	Command         []string             `json:"command,omitempty"`
	Ports           []ContainerPort      `json:"ports,omitempty"`
	Env             []EnvVar             `json:"env,omitempty"`
	Resources       ResourceRequirements `json:"resources,omitempty"`
	ImagePullPolicy PullPolicy           `json:"imagePullPolicy,omitempty"`
}
type ContainerPort struct {
	Name          string   `json:"name,omitempty"`
	ContainerPort int32    `json:"containerPort"`
	Protocol      Protocol `json:"protocol,omitempty"`
}
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}
type ResourceRequirements struct {
	Limits   ResourceList `json:"limits,omitempty"`
	Requests ResourceList `json:"requests,omitempty"`
}
type Secret struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Immutable  *bool             `json:"immutable,omitempty"`
	Data       map[string][]byte `json:"data,omitempty"`
	StringData map[string]string `json:"stringData,omitempty"`
}
type ConfigMap struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Data       map[string]string `json:"data,omitempty"`
	BinaryData map[string][]byte `json:"binaryData,omitempty"`
}
type Lease struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       LeaseSpec `json:"spec,omitempty"`
}
type LeaseSpec struct {
	HolderIdentity       *string    `json:"holderIdentity,omitempty"`
	LeaseDurationSeconds *int32     `json:"leaseDurationSeconds,omitempty"`
	RenewTime            *MicroTime `json:"renewTime,omitempty"`
}
