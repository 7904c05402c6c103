// Command hostpath-provisioner is the test cluster's dynamic volume
// provisioner. For every PersistentVolumeClaim of a StorageClass whose
// provisioner is its name, it makes a directory under its root and a
// hostPath PersistentVolume for it; when a volume with reclaim policy Delete
// is released, it removes the directory and the volume.
//
// The claim handling (binding modes, the scheduler's selected node, retries,
// reclaim) is sigs.k8s.io/sig-storage-lib-external-provisioner's; this
// program only makes and removes the directories. A claim of a
// WaitForFirstConsumer class gets a volume with node affinity to the node the
// scheduler chose. The test cluster's nodes are kwok's fake nodes, on which
// nothing runs, so a directory on this machine serves every node.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	"sigs.k8s.io/sig-storage-lib-external-provisioner/v13/controller"
)

// hostnameLabel is the node label a volume's node affinity selects on.
const hostnameLabel = "kubernetes.io/hostname"

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "hostpath-provisioner: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster (required)")
	root := flag.String("root", "", "directory the volumes' directories are made in (required)")
	name := flag.String("name", "testcluster.wavec.io/hostpath", "provisioner name that StorageClasses refer to")
	klog.InitFlags(nil)
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(flag.Args(), " "))
	}
	if *kubeconfig == "" || *root == "" {
		return errors.New("--kubeconfig and --root are required")
	}
	dir, err := filepath.Abs(*root)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := &hostPathProvisioner{client: client, root: dir}
	pc := controller.NewProvisionController(ctx, client, *name, p,
		controller.LeaderElection(false),
	)
	klog.FromContext(ctx).Info("provisioning volumes", "name", *name, "root", dir)
	pc.Run(ctx)
	return nil
}

// hostPathProvisioner makes each volume a directory under root.
type hostPathProvisioner struct {
	client kubernetes.Interface
	root   string
}

// Provision makes the directory of a new volume and describes the volume.
// Block claims never reach it: the library refuses them for a provisioner
// that does not implement controller.BlockProvisioner.
func (p *hostPathProvisioner) Provision(ctx context.Context, opts controller.ProvisionOptions) (*corev1.PersistentVolume, controller.ProvisioningState, error) {
	claim := opts.PVC
	if claim.Spec.Selector != nil {
		return nil, controller.ProvisioningFinished, errors.New("claims with a selector are not supported")
	}
	size, ok := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		return nil, controller.ProvisioningFinished, errors.New("the claim requests no storage size")
	}
	path := filepath.Join(p.root, opts.PVName)
	if err := os.MkdirAll(path, 0o777); err != nil {
		return nil, controller.ProvisioningInBackground, err
	}

	reclaim := corev1.PersistentVolumeReclaimDelete
	if opts.StorageClass.ReclaimPolicy != nil {
		reclaim = *opts.StorageClass.ReclaimPolicy
	}
	dirOrCreate := corev1.HostPathDirectoryOrCreate
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: opts.PVName},
		Spec: corev1.PersistentVolumeSpec{
			PersistentVolumeReclaimPolicy: reclaim,
			AccessModes:                   claim.Spec.AccessModes,
			VolumeMode:                    claim.Spec.VolumeMode,
			MountOptions:                  opts.StorageClass.MountOptions,
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: path, Type: &dirOrCreate},
			},
		},
	}
	if opts.SelectedNodeName != "" {
		hostname, err := p.hostname(ctx, opts.SelectedNodeName)
		if err != nil {
			return nil, controller.ProvisioningInBackground, err
		}
		pv.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{
			Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{
					Key:      hostnameLabel,
					Operator: corev1.NodeSelectorOpIn,
					Values:   []string{hostname},
				}},
			}}},
		}
	}
	return pv, controller.ProvisioningFinished, nil
}

// hostname returns the hostname label of node name, which the volume's node
// affinity selects it by.
func (p *hostPathProvisioner) hostname(ctx context.Context, name string) (string, error) {
	node, err := p.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("selected node %s: %w", name, err)
	}
	if h := node.Labels[hostnameLabel]; h != "" {
		return h, nil
	}
	return "", fmt.Errorf("selected node %s has no %s label", name, hostnameLabel)
}

// Delete removes the directory of a released volume. It refuses a path
// outside its root: such a volume is not one it made.
func (p *hostPathProvisioner) Delete(_ context.Context, pv *corev1.PersistentVolume) error {
	if pv.Spec.HostPath == nil {
		return &controller.IgnoredError{Reason: "not a hostPath volume"}
	}
	path := filepath.Clean(pv.Spec.HostPath.Path)
	if filepath.Dir(path) != p.root {
		return &controller.IgnoredError{Reason: fmt.Sprintf("%s is not a directory of %s", path, p.root)}
	}
	return os.RemoveAll(path)
}
